/** The ALL / PENDING / PROCESSED / FAILED switch above the order table. */
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import { STATUS_LABEL } from './OrderStatusChip.tsx';
import { STATUS_FILTERS, type StatusFilter } from './status-filter.ts';

const LABEL: Record<StatusFilter, string> = { ALL: 'All', ...STATUS_LABEL };

export function StatusFilterControl({
  value,
  onChange,
}: {
  value: StatusFilter;
  onChange: (filter: StatusFilter) => void;
}) {
  return (
    <ToggleButtonGroup
      size="small"
      exclusive
      value={value}
      aria-label="Filter orders by status"
      onChange={(_event, next: StatusFilter | null) => {
        if (next) onChange(next);
      }}
    >
      {STATUS_FILTERS.map((filter) => (
        <ToggleButton key={filter} value={filter} aria-label={`Show ${LABEL[filter].toLowerCase()} orders`}>
          {LABEL[filter]}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
