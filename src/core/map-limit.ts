/**
 * Runs `fn` over `items`, taking them in order, with at most `limit` in flight. After a failure no new item is
 * started, but those in flight run to their end (none is left half done); then it rejects with the first failure.
 */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length && errors.length === 0) {
      const item = items[next++] as T;
      await fn(item).catch((err: unknown) => {
        errors.push(err);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
