/** The .msg writer lives with the other synthetic-data writers, so that the hiding-places bench uses it too. */
export { buildMsg, type MsgAttachment, type MsgSpec } from '../../../scripts/synth/msg.js';
