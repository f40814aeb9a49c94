import type { ReceiverConfig } from '@vigie/common';
import { alertmanagerReceiver } from './alertmanager.js';
import { opsgenieReceiver } from './opsgenie.js';
import { pagerDutyReceiver } from './pagerduty.js';
import { slackReceiver } from './slack.js';
import { teamsReceiver } from './teams.js';
import type { Receiver } from './types.js';
import { webhookReceiver } from './webhook.js';

/** The receiver for one configured destination. */
export function createReceiver(config: ReceiverConfig): Receiver {
  switch (config.type) {
    case 'pagerduty':
      return pagerDutyReceiver(config);
    case 'slack':
      return slackReceiver(config);
    case 'opsgenie':
      return opsgenieReceiver(config);
    case 'alertmanager':
      return alertmanagerReceiver(config);
    case 'teams':
      return teamsReceiver(config);
    case 'webhook':
      return webhookReceiver(config);
  }
}
