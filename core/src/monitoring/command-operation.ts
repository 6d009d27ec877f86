/** Which group of the Diagnostics panel a cart command is timed under (latency-monitor.ts). */
import type { CartCommand } from '../cart/cart-actions.ts';
import type { TimedOperation } from './latency-monitor.ts';

export function commandOperation(type: CartCommand['type']): TimedOperation {
  switch (type) {
    case 'item/add':
    case 'item/priceSeen':
      return 'add';
    case 'item/setQuantity':
    case 'item/setNote':
    case 'item/edit':
    case 'item/bringBack':
      return 'edit';
    case 'item/move':
      return 'move';
    case 'item/remove':
      return 'remove';
    case 'items/import':
    case 'import/undo':
      return 'import';
    case 'list/create':
    case 'list/rename':
    case 'list/reorder':
    case 'list/delete':
    case 'list/restore':
    case 'list/clear':
      return 'list';
    default:
      return 'bulk';
  }
}

