// What a client may do to a campaign in each status (issue 3, "Lifecycle"). Pure: the API asks, then acts.
import { CampaignStatus } from './enums.js';

export type LifecycleAction = 'pause' | 'resume' | 'cancel' | 'delete' | 'addNumbers';

const ALLOWED_FROM: Record<LifecycleAction, readonly CampaignStatus[]> = {
  pause: [CampaignStatus.Scheduled, CampaignStatus.Running, CampaignStatus.Waiting],
  resume: [CampaignStatus.Paused],
  cancel: [CampaignStatus.Scheduled, CampaignStatus.Running, CampaignStatus.Waiting, CampaignStatus.Paused],
  // Only before it has started: once calls may have happened, cancel keeps the record instead.
  delete: [CampaignStatus.Scheduled],
  addNumbers: [CampaignStatus.Scheduled, CampaignStatus.Running, CampaignStatus.Waiting, CampaignStatus.Paused],
};

export type LifecycleCheck = { ok: true } | { ok: false; reason: string };

const statusName = (status: number) => CampaignStatus.members.find((m) => m.value === status)?.name ?? String(status);

export function checkLifecycle(action: LifecycleAction, campaign: { id: number; status: number; startsAt: Date; callCount: number }, now: Date): LifecycleCheck {
  if (!(ALLOWED_FROM[action] as readonly number[]).includes(campaign.status)) {
    const allowed = ALLOWED_FROM[action].map(statusName).join(', ');
    return { ok: false, reason: `Campaign ${campaign.id} is ${statusName(campaign.status)}; ${verb(action)} needs it to be ${allowed}.` };
  }
  if (action === 'delete' && (now.getTime() >= campaign.startsAt.getTime() || campaign.callCount > 0)) {
    return { ok: false, reason: `Campaign ${campaign.id} has started; cancel it instead of deleting it.` };
  }
  return { ok: true };
}

/** The status a resumed campaign returns to; the dialer moves it on to Running when a window is open. */
export function statusAfterResume(startsAt: Date, now: Date): CampaignStatus {
  return now.getTime() < startsAt.getTime() ? CampaignStatus.Scheduled : CampaignStatus.Waiting;
}

function verb(action: LifecycleAction): string {
  return action === 'addNumbers' ? 'adding numbers' : action === 'delete' ? 'deleting' : `${action.replace(/e$/, '')}ing`;
}
