import { expect, test } from 'vitest';
import { total } from '../src/cart.js';
test('total', () => expect(total([{ sku: 'a', qty: 2, price: 3 }])).toBe(6));
