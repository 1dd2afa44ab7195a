/**
 * The fields of the order forms (one order, and the bulk generator): a number and a native select, each
 * showing its error in place of its hint, so that every field reports a refusal the same way.
 */
import TextField from '@mui/material/TextField';

interface FieldProps {
  label: string;
  id: string;
  value: string;
  onChange: (value: string) => void;
  /** The refusal of this field, shown instead of `hint`. */
  error: string | undefined;
  hint: string;
  disabled?: boolean;
}

export function NumberField({
  min,
  max,
  step,
  decimal = false,
  ...field
}: FieldProps & { min: number; max: number; step: number | 'any'; decimal?: boolean }) {
  return (
    <TextField
      label={field.label}
      id={field.id}
      type="number"
      value={field.value}
      onChange={(event) => field.onChange(event.target.value)}
      error={Boolean(field.error)}
      helperText={field.error ?? field.hint}
      disabled={field.disabled}
      slotProps={{ htmlInput: { min, max, step, inputMode: decimal ? 'decimal' : 'numeric' } }}
      fullWidth
    />
  );
}

export function SelectField({
  placeholder,
  options,
  ...field
}: FieldProps & { placeholder: string; options: readonly { value: string; label: string }[] }) {
  return (
    <TextField
      select
      label={field.label}
      id={field.id}
      value={field.value}
      onChange={(event) => field.onChange(event.target.value)}
      error={Boolean(field.error)}
      helperText={field.error ?? field.hint}
      disabled={field.disabled}
      slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
      fullWidth
    >
      <option value="">{placeholder}</option>
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </TextField>
  );
}
