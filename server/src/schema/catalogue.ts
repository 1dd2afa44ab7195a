/** Products and customers: the catalogue orders are made from. */
import type { CustomerDoc, ProductDoc } from '@orders/core';
import { requireOperator, requireViewer } from '../auth/access.ts';
import { builder } from './builder.ts';

export const Product = builder.objectRef<ProductDoc>('Product').implement({
  description: 'Something a customer can order.',
  fields: (t) => ({
    sku: t.exposeString('_id', { description: 'Stock keeping unit: the product id.' }),
    name: t.exposeString('name'),
    price: t.exposeFloat('price', { description: 'Unit price.' }),
    stock: t.exposeInt('stock', { description: 'Units left to reserve.' }),
  }),
});

export const Customer = builder.objectRef<CustomerDoc>('Customer').implement({
  description: 'Someone who places orders.',
  fields: (t) => ({
    id: t.exposeID('_id'),
    name: t.exposeString('name'),
    email: t.exposeString('email'),
  }),
});

builder.queryFields((t) => ({
  products: t.field({
    type: [Product],
    description: 'Every product, by SKU.',
    resolve: (_root, _args, { models, viewer }) => {
      requireViewer(viewer);
      return models.Product.find().sort({ _id: 1 }).lean<ProductDoc[]>();
    },
  }),
  customers: t.field({
    type: [Customer],
    description: 'Every customer, by id. Operators only.',
    resolve: (_root, _args, { models, viewer }) => {
      requireOperator(viewer, 'list the customers');
      return models.Customer.find().sort({ _id: 1 }).lean<CustomerDoc[]>();
    },
  }),
}));
