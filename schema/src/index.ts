export * from './messages';
export * from './ecommerce';
export * from './recommendations';
export * from './limits';
export * from './admin-api';
export * from './audiences';
export * from './experiments';
export * from './destinations';
