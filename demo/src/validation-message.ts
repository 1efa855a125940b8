import type { AttributeDef } from 'offline-vault/app';

/** A short, human message for a ValidationError rule on an attribute (never echoes the value). */
export function validationMessage(rule: unknown, attr: AttributeDef | undefined): string {
  switch (rule) {
    case 'required':
      return 'This field is required.';
    case 'max-length':
      return `Use at most ${attr?.maxLength ?? 'the allowed number of'} characters.`;
    case 'enum':
      return `Choose one of: ${(attr?.values ?? []).join(', ')}.`;
    case 'scale':
      return 'Use at most 8 decimal places.';
    case 'range':
      return 'This number is too large.';
    case 'reference':
      return 'Choose an existing record.';
    case 'type':
      return typeMessage(attr);
    default:
      return 'This value is not valid.';
  }
}

function typeMessage(attr: AttributeDef | undefined): string {
  switch (attr?.type) {
    case 'integer':
    case 'long':
      return 'Enter a whole number, like 1042.';
    case 'decimal':
      return 'Enter an amount, like 1250.50.';
    case 'datetime':
      return 'Enter a date and time.';
    case 'boolean':
      return 'Choose yes or no.';
    default:
      return 'This value is not valid.';
  }
}
