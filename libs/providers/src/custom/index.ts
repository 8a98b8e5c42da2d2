export { customProvider, type CustomSettings } from './custom.provider';
