// The fields of a create answer that echo the stored plan (CreatedCampaignSchema without the number lists). The CSV
// create (routes/campaign-csv.ts) answers with them; the JSON create (routes/campaigns.ts) writes the same fields and
// can take them from here too.
import type { CampaignCompliancePlan, CampaignPlan } from '../domain/campaign-request.js';

export function createdCampaignFields(id: number, plan: CampaignPlan, compliance: Pick<CampaignCompliancePlan, 'marketing' | 'callingHoursTrimmed'>) {
  return {
    id,
    name: plan.name,
    startDate: plan.startDate,
    startTime: plan.startTime,
    finishTime: plan.finishTime,
    timeZone: plan.timeZone,
    runoverDays: plan.runoverDays,
    callflow_Id: plan.callFlowId,
    defaultCli_Id: plan.cliId,
    attempts: plan.attempts.map((attempt) => ({ interval: attempt.intervalMinutes, attemptNumber: attempt.attemptNumber })),
    answerMachineDetected: plan.answerPhoneMessage,
    smsOnBusy: plan.smsOnBusy,
    marketing: compliance.marketing,
    callingHoursTrimmed: compliance.callingHoursTrimmed,
  };
}
