/**
 * The delivery layer's public surface: the agent (the one path into a mailbox), recipient
 * parsing, the outgoing SMTP client and the Sieve engine interface the composition root fills.
 */
export { DeliveryAgent, type DeliveryAgentOptions, type DeliveryRequest, type DeliveryResult, type RecipientCheck } from './agent.js';
export { parseRecipient, delimitersFromConfig, type DomainMode, type ParsedRecipient, type RecipientPolicy } from './recipient.js';
export { SmtpRelayClient, SmtpSendError, dotStuff, type MailSender, type OutgoingMessage, type SmtpSendResult } from './smtp-client.js';
export { rfc5322Date, toCrlf } from './message.js';
export type { SieveEngine } from './sieve-engine.js';
