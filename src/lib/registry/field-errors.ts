import avro, { type Type } from 'avsc';
import type { FieldError } from '../../errors';
import { isExplainingType } from './logical-types';

/**
 * Every place where `value` does not fit Avro `type`, as field errors with a dotted path
 * (`order.items.0.price`) and a message naming what was expected and what was found.
 */
export function collectFieldErrors(type: Type, value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  type.isValid(value, {
    errorHook: (path: string[], invalid: unknown, invalidType: Type) => {
      const explained = isExplainingType(invalidType) ? invalidType.explain(invalid) : undefined;
      errors.push({ field: path.length > 0 ? path.join('.') : '(record)', message: explained ?? `expected ${expectation(invalidType)}, got ${describeValue(invalid)}` });
    },
  });
  return errors;
}

function expectation(type: Type): string {
  if (avro.Type.isType(type, 'enum')) return `one of ${(type as avro.types.EnumType).symbols.join(', ')}`;
  if (avro.Type.isType(type, 'int')) return 'an integer (32-bit)';
  if (avro.Type.isType(type, 'long')) return 'an integer';
  if (avro.Type.isType(type, 'union')) return (type as avro.types.UnwrappedUnionType).types.map((branch) => branch.typeName).join(' or ');
  return `a ${type.typeName}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
