export { AlertmanagerPeer, type AlertmanagerPeerAlert } from './alertmanager-peer.js';
export { type OpsgenieAlertState, OpsgeniePeer } from './opsgenie-peer.js';
export { PagerDutyPeer, type PagerDutyPeerOptions } from './pagerduty-peer.js';
export { SlackPeer } from './slack-peer.js';
export { TeamsPeer } from './teams-peer.js';
export type { PeerAnswer, PeerFault, PeerRequest } from './vendor-peer.js';
export { VendorPeer } from './vendor-peer.js';
export { WebhookPeer } from './webhook-peer.js';
