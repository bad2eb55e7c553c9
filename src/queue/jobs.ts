import { z } from 'zod';

/**
 * A job is defined once: its queue name and the schema of its data. The same definition
 * validates the data where the job is queued and again where it runs, so a worker of another
 * version can never misread a job silently.
 */
export interface JobDefinition<S extends z.ZodType> {
  name: string;
  schema: S;
  parse(data: unknown): z.infer<S>;
}

export function defineJob<S extends z.ZodType>(name: string, schema: S): JobDefinition<S> {
  return { name, schema, parse: (data) => schema.parse(data) };
}

/**
 * One attempt of one delivery: the delivery row says what to send. `slotAt`: the send slot of a
 * rate-limited endpoint this job already holds (policies/rate-limit.ts).
 */
export const deliveryJob = defineJob(
  'hookline-delivery',
  z.object({
    deliveryId: z.string().min(1),
    organizationId: z.string().min(1),
    slotAt: z.iso.datetime().optional(),
  }),
);

export type DeliveryJobData = z.infer<typeof deliveryJob.schema>;
