/**
 * The one table from typed store errors to ManageSieve responses (RFC 5804 §1.3).
 */
import type { StoreError } from '../../store/errors.js';
import type { CommandResult } from './types.js';

export function storeErrorResult(e: StoreError): CommandResult {
  switch (e.code) {
    case 'NONEXISTENT':
      return { status: 'NO', code: 'NONEXISTENT', text: 'There is no script by that name' };
    case 'ALREADYEXISTS':
      return { status: 'NO', code: 'ALREADYEXISTS', text: 'A script by that name already exists' };
    case 'INUSE':
      return { status: 'NO', code: 'ACTIVE', text: 'The active script cannot be deleted; deactivate it first' };
    case 'OVERQUOTA':
      return { status: 'NO', code: 'QUOTA', text: 'Quota exceeded' };
    case 'LIMIT':
      return { status: 'NO', code: 'QUOTA', text: e.message };
    case 'UNAVAILABLE':
      return { status: 'NO', code: 'TRYLATER', text: 'Storage is temporarily unavailable' };
    default:
      return { status: 'NO', code: 'TRYLATER', text: 'Storage error' };
  }
}
