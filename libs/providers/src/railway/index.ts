export { RAILWAY_STATUS, RailwayProvider, RailwaySettings, railwayProvider } from './railway.provider';
