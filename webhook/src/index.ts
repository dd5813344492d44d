export { type PolicySource, startWebhook, staticPolicies, type WebhookConfig } from './app.ts';
