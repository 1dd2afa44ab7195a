import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeGraphql, type Answer } from '../test-support/fake-graphql.tsx';
import { CreateOrderForm } from './CreateOrderForm.tsx';
import { OrderTable } from './OrderTable.tsx';

const catalogue = {
  customers: [
    { id: 'cus_0001', name: 'Ada Lovelace', email: 'ada@example.com' },
    { id: 'cus_0002', name: 'Alan Turing', email: 'alan@example.com' },
  ],
  products: [
    { sku: 'SKU-0001', name: 'Brass Lamp', price: 12.5, stock: 100 },
    { sku: 'SKU-0002', name: 'Oak Desk', price: 300, stock: 3 },
  ],
};

const noOrders = {
  data: { orders: { totalCount: 0, pageInfo: { endCursor: null, hasNextPage: false }, edges: [] } },
};

/** Renders the form beside the table, as the dashboard does; createOrder answers with `answer`. */
function renderForm(answer: (input: Record<string, unknown>) => Answer) {
  const fake = fakeGraphql({
    CreateOrderForm_CatalogueQuery: () => ({ data: catalogue }),
    OrderTable_OrdersQuery: () => noOrders,
    CreateOrderForm_CreateOrderMutation: (variables) => answer(variables.input as Record<string, unknown>),
  });
  const { Providers } = fake;
  render(
    <Providers>
      <CreateOrderForm />
      <OrderTable onOpenOrder={() => {}} />
    </Providers>,
  );
  return fake;
}

async function fillIn(quantity: string) {
  const user = userEvent.setup();
  await screen.findByRole('option', { name: 'Ada Lovelace' });
  await user.selectOptions(screen.getByLabelText('Customer'), 'cus_0001');
  await user.selectOptions(screen.getByLabelText('Product'), 'SKU-0002');
  await user.clear(screen.getByLabelText('Quantity'));
  await user.type(screen.getByLabelText('Quantity'), quantity);
  return user;
}

describe('the create-order form', () => {
  it('sends the chosen customer, product and quantity with an idempotency key, and says which order it made', async () => {
    const { requests } = renderForm((input) => ({
      data: {
        createOrder: {
          id: 'T3JkZXI6MQ==',
          orderNumber: 'ORD-261124-ABCDEF',
          quantity: input.quantity,
          total: 600,
          status: 'PENDING',
          version: 1,
          error: null,
          createdAt: new Date().toISOString(),
          processedAt: null,
          failedAt: null,
          customer: { id: 'cus_0001', name: 'Ada Lovelace' },
          product: { sku: 'SKU-0002', name: 'Oak Desk' },
        },
      },
    }));
    const user = await fillIn('2');
    expect(screen.getByText('$600.00')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Create order' }));

    expect(await screen.findByText('Order ORD-261124-ABCDEF created.')).toBeTruthy();
    const sent = requests.find((r) => r.name === 'CreateOrderForm_CreateOrderMutation');
    expect(sent?.variables.input).toMatchObject({ customerId: 'cus_0001', sku: 'SKU-0002', quantity: 2 });
    expect(typeof (sent?.variables.input as { idempotencyKey?: unknown }).idempotencyKey).toBe('string');
    expect(screen.getByRole('button', { name: 'Open order ORD-261124-ABCDEF' })).toBeTruthy();
  });

  it("shows the server's BAD_USER_INPUT error next to the quantity, and takes the optimistic row away", async () => {
    renderForm(() => ({
      errors: [{ message: 'quantity must be at most 1000', extensions: { code: 'BAD_USER_INPUT', field: 'quantity' } }],
    }));
    const user = await fillIn('5000');
    await user.click(screen.getByRole('button', { name: 'Create order' }));

    const quantity = screen.getByLabelText('Quantity');
    expect(await screen.findByText('quantity must be at most 1000')).toBeTruthy();
    expect(quantity.getAttribute('aria-invalid')).toBe('true');
    const description = document.getElementById(quantity.getAttribute('aria-describedby')!);
    expect(description?.textContent).toBe('quantity must be at most 1000');
    expect(within(screen.getByRole('table')).queryByText('Saving…')).toBeNull();
  });

  it('puts a NOT_FOUND product next to the product select', async () => {
    renderForm(() => ({
      errors: [{ message: 'no product with sku "SKU-0002"', extensions: { code: 'NOT_FOUND', field: 'sku' } }],
    }));
    const user = await fillIn('1');
    await user.click(screen.getByRole('button', { name: 'Create order' }));
    expect(await screen.findByText('no product with sku "SKU-0002"')).toBeTruthy();
    expect(screen.getByLabelText('Product').getAttribute('aria-invalid')).toBe('true');
  });

  it('asks for a customer and a product before sending anything', async () => {
    const { requests } = renderForm(() => ({}));
    const user = userEvent.setup();
    await screen.findByRole('option', { name: 'Ada Lovelace' });
    await user.click(screen.getByRole('button', { name: 'Create order' }));
    expect(screen.getByText('Choose a customer.')).toBeTruthy();
    expect(screen.getByText('Choose a product.')).toBeTruthy();
    expect(requests.some((r) => r.name === 'CreateOrderForm_CreateOrderMutation')).toBe(false);
  });

  it('fills every field with random values on request', async () => {
    renderForm(() => ({}));
    const user = userEvent.setup();
    await screen.findByRole('option', { name: 'Ada Lovelace' });
    await user.click(screen.getByRole('button', { name: 'Generate random values' }));
    expect((screen.getByLabelText('Customer') as HTMLSelectElement).value).toMatch(/^cus_000[12]$/);
    expect((screen.getByLabelText('Product') as HTMLSelectElement).value).toMatch(/^SKU-000[12]$/);
    expect(Number((screen.getByLabelText('Quantity') as HTMLInputElement).value)).toBeGreaterThan(0);
  });
});
