export { RENDER_STATUS, RenderProvider, RenderSettings, renderProvider } from './render.provider';
