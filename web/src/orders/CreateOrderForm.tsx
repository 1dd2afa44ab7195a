/**
 * The create-order form: customer, product and quantity, random values on
 * request. The order appears in the table at once (optimistic) and is
 * replaced by the server's answer; the server's errors show by their field.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import { NumberField, SelectField } from './FormFields.tsx';
import Typography from '@mui/material/Typography';
import { getFragmentData, graphql } from '../gql/index.ts';
import { formatMoney } from './format.ts';
import { checkOrderInput, formErrorsFrom, hasErrors, noFormErrors, type FormErrors } from './form-errors.ts';
import { useLiveOrdersDispatch } from './LiveOrdersContext.tsx';
import type { OrderRow } from './live-orders.ts';
import { OrderTable_OrderFragment } from './OrderTable.tsx';
import { newIdempotencyKey, randomOrderInput } from './random-order.ts';

const CatalogueQuery = graphql(`
  query CreateOrderForm_CatalogueQuery {
    customers {
      id
      name
      email
    }
    products {
      sku
      name
      price
      stock
    }
  }
`);

const CreateOrderMutation = graphql(`
  mutation CreateOrderForm_CreateOrderMutation($input: CreateOrderInput!) {
    createOrder(input: $input) {
      ...OrderTable_Order
    }
  }
`);

/** The form's fields, by the input field each sets. */
const FIELDS: Record<'customerId' | 'sku' | 'quantity', { label: string; id: string; placeholder?: string }> = {
  customerId: { label: 'Customer', id: 'create-order-customer', placeholder: 'Choose a customer' },
  sku: { label: 'Product', id: 'create-order-product', placeholder: 'Choose a product' },
  quantity: { label: 'Quantity', id: 'create-order-quantity' },
};

/** The row shown for an order until the server answers: what the form knows of it. */
function optimisticOrder(
  key: string,
  quantity: number,
  customer: { id: string; name: string },
  product: { sku: string; name: string; price: number },
): OrderRow {
  return {
    id: key,
    orderNumber: '',
    quantity,
    total: Math.round(product.price * quantity * 100) / 100,
    status: 'PENDING',
    version: 0,
    error: null,
    createdAt: new Date().toISOString(),
    processedAt: null,
    failedAt: null,
    customer: { id: customer.id, name: customer.name },
    product: { sku: product.sku, name: product.name },
  };
}

/** The form's three fields: their values, and what each shows (label, id, refusal); the selects wait for the catalogue. */
function useOrderFields(ready: boolean, errors: FormErrors) {
  const [customerId, setCustomerId] = useState('');
  const [sku, setSku] = useState('');
  const [quantity, setQuantity] = useState('1');
  const values: Record<keyof typeof FIELDS, readonly [string, (value: string) => void]> = {
    customerId: [customerId, setCustomerId],
    sku: [sku, setSku],
    quantity: [quantity, setQuantity],
  };
  const field = (name: keyof typeof FIELDS) => {
    const [value, onChange] = values[name];
    const { label, id, placeholder } = FIELDS[name];
    return {
      label,
      id,
      value,
      onChange,
      error: errors.fields[name],
      disabled: placeholder !== undefined && !ready,
      placeholder: ready ? (placeholder ?? '') : 'Loading…',
    };
  };
  const fill = (input: { customerId: string; sku: string; quantity: number }) => {
    setCustomerId(input.customerId);
    setSku(input.sku);
    setQuantity(String(input.quantity));
  };
  return { customerId, sku, quantity, field, fill };
}

function CatalogueError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <Alert
      severity="error"
      action={
        <Button color="inherit" size="small" onClick={onRetry}>
          Try again
        </Button>
      }
    >
      Could not load customers and products: {message}
    </Alert>
  );
}

/** Create, fill with random values, and the order's total as the fields stand. */
function FormActions(props: { ready: boolean; submitting: boolean; total: number | null; onRandom: () => void }) {
  const { ready, submitting, total, onRandom } = props;
  return (
    <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'center' } }}>
      <Button
        variant="contained"
        type="submit"
        disabled={!ready || submitting}
        startIcon={submitting ? <CircularProgress size={16} color="inherit" aria-hidden /> : undefined}
      >
        Create order
      </Button>
      <Button variant="outlined" onClick={onRandom} disabled={!ready} type="button">
        Generate random values
      </Button>
      <Typography variant="body2" color="text.secondary" aria-live="polite" sx={{ pl: { sm: 1 } }}>
        Total: <strong>{total === null ? '—' : formatMoney(total)}</strong>
      </Typography>
    </Stack>
  );
}

const FIELDS_GRID = {
  display: 'grid',
  gap: 2,
  gridTemplateColumns: {
    xs: 'minmax(0, 1fr)',
    sm: 'minmax(0, 1fr) minmax(0, 1fr)',
    lg: 'minmax(0, 3fr) minmax(0, 3fr) minmax(0, 1.3fr)',
  },
} as const;

export function CreateOrderForm() {
  const [catalogue, refetchCatalogue] = useQuery({ query: CatalogueQuery });
  const [, createOrder] = useMutation(CreateOrderMutation);
  const dispatch = useLiveOrdersDispatch();
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const [submitting, setSubmitting] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  const customers = catalogue.data?.customers ?? [];
  const products = catalogue.data?.products ?? [];
  const ready = customers.length > 0 && products.length > 0;
  const { customerId, sku, quantity, field, fill } = useOrderFields(ready, errors);
  const product = products.find((candidate) => candidate.sku === sku);
  const customer = customers.find((candidate) => candidate.id === customerId);
  const amount = Number(quantity);
  const total = product && Number.isInteger(amount) && amount > 0 ? product.price * amount : null;
  const customerOptions = customers.map((option) => ({ value: option.id, label: option.name }));
  const productOptions = products.map((option) => ({
    value: option.sku,
    label: `${option.name} — ${formatMoney(option.price)}`,
  }));

  const fillRandom = () => {
    if (!ready) return;
    fill(randomOrderInput(customers, products));
    setErrors(noFormErrors);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = checkOrderInput({ customerId, sku, quantity });
    setErrors(checked);
    setCreated(null);
    if (hasErrors(checked) || !customer || !product) return;

    const key = newIdempotencyKey();
    const count = Number.parseInt(quantity, 10);
    dispatch({ type: 'optimisticAdded', key, order: optimisticOrder(key, count, customer, product) });
    setSubmitting(true);
    const result = await createOrder({ input: { customerId, sku, quantity: count, idempotencyKey: key } });
    setSubmitting(false);
    const order = result.data ? getFragmentData(OrderTable_OrderFragment, result.data.createOrder) : null;
    dispatch({ type: 'optimisticSettled', key, order });
    if (order) {
      setCreated(order.orderNumber);
    } else {
      setErrors(formErrorsFrom(result.error ?? { graphQLErrors: [{ message: 'The server did not create it.' }] }));
    }
  };

  if (catalogue.error && !catalogue.data) {
    const retry = () => refetchCatalogue({ requestPolicy: 'network-only' });
    return <CatalogueError message={catalogue.error.message} onRetry={retry} />;
  }

  return (
    <Box component="form" noValidate onSubmit={submit} aria-label="Create order">
      <Stack spacing={2}>
        <Box sx={FIELDS_GRID}>
          <SelectField {...field('customerId')} hint={customer?.email ?? ' '} options={customerOptions} />
          <SelectField {...field('sku')} hint={product ? `${product.stock} in stock` : ' '} options={productOptions} />
          <NumberField {...field('quantity')} hint="From 1 to 1000" min={1} max={1000} step={1} />
        </Box>
        {errors.form && <Alert severity="error">{errors.form}</Alert>}
        <Box role="status" aria-live="polite" sx={{ minHeight: 0 }}>
          {created && (
            <Alert severity="success" onClose={() => setCreated(null)}>
              Order {created} created.
            </Alert>
          )}
        </Box>
        <FormActions ready={ready} submitting={submitting} total={total} onRandom={fillRandom} />
      </Stack>
    </Box>
  );
}
