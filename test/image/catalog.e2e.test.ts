import { catalogPart } from '../support/catalog-e2e.ts';

// Part 1 of the catalog e2e test (test/support/catalog-e2e.ts): every image of images/, split over
// catalog.e2e.test.ts and catalog-2 ... catalog-N so the test queue's workers build the catalog side by side.
catalogPart(1);
