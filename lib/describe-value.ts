/** A value as error messages quote it: JSON, cut to `max` characters, "nothing" for a missing value. */
export function describeValue(value: unknown, max = 80): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
