import { describe, expect, it } from 'vitest';
import { matchesFilter, parseStatusFilter, searchWithStatusFilter, statusArgument } from './status-filter.ts';

describe('the status filter', () => {
  it('reads ?status=FAILED from the URL', () => {
    expect(parseStatusFilter('?status=FAILED')).toBe('FAILED');
  });

  it('accepts a status in any case, as people type it', () => {
    expect(parseStatusFilter('?status=processed')).toBe('PROCESSED');
  });

  it('means ALL when the parameter is missing or unknown', () => {
    expect(parseStatusFilter('')).toBe('ALL');
    expect(parseStatusFilter('?status=SHIPPED')).toBe('ALL');
  });

  it('writes the filter into the query string and keeps other parameters', () => {
    expect(searchWithStatusFilter('?order=abc', 'PENDING')).toBe('?order=abc&status=PENDING');
  });

  it('removes the parameter for ALL, so the plain URL shows everything', () => {
    expect(searchWithStatusFilter('?status=FAILED', 'ALL')).toBe('');
  });

  it('lets every status through ALL and only its own through the others', () => {
    expect(matchesFilter('FAILED', 'ALL')).toBe(true);
    expect(matchesFilter('FAILED', 'FAILED')).toBe(true);
    expect(matchesFilter('PENDING', 'FAILED')).toBe(false);
  });

  it('asks the server for every status with ALL and for one status otherwise', () => {
    expect(statusArgument('ALL')).toBeNull();
    expect(statusArgument('PROCESSED')).toEqual(['PROCESSED']);
  });
});
