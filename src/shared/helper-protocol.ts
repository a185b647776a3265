// Wire format between cloudyd and cloudy-helper (newline-delimited JSON); see docs/helper-protocol.md.

/** Requests larger than this are refused before they are parsed. */
// Large enough for a VPN member list of 4,096 peers with their keys (vpn.writeConfig), still a bounded buffer.
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export type HelperErrorCode =
  | 'bad_request'
  | 'too_large'
  | 'unknown_action'
  | 'invalid_arguments'
  | 'not_declared'
  | 'failed';

export type HelperMessage =
  | { id: number; type: 'progress'; percent?: number; message?: string }
  | { id: number; type: 'result'; ok: true; result: unknown }
  | { id: number; type: 'result'; ok: false; error: { code: HelperErrorCode; message: string } };
