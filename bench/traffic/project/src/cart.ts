export interface Line { sku: string; qty: number; price: number }
export function total(lines: Line[]): number {
  return lines.reduce((s, l) => s + l.qty * l.price, 0);
}
