import { catalogPart } from '../support/catalog-e2e.ts';

// Part 4 of the catalog e2e test: see test/support/catalog-e2e.ts and test/image/catalog.e2e.test.ts.
catalogPart(4);
