// What a call flow says when the operator gives only a name. Kept short and free of marketing: Ofcom expects an
// automated message to name the organisation and give a number to call back, which operators should add.
export const DEFAULT_FLOW_MESSAGE = 'Hello {Name}. This is an automated call. Thank you, goodbye.';
export const DEFAULT_VOICEMAIL_MESSAGE = 'Hello {Name}. Sorry we missed you. We will try again later. Goodbye.';
export const DEFAULT_SMS_TEXT = 'Hello {Name}, we tried to call you but your line was busy. We will try again later.';
