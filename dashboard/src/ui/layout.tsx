import type { ComponentChildren } from 'preact';
import type { ErrorView } from '../errors.ts';
import { ErrorMessage, Loading } from './feedback.tsx';

/** A list screen a page about one object belongs to: its link and its name. */
export interface ParentScreen {
  href: string;
  label: string;
}

export function Breadcrumb({ parent, current }: { parent: ParentScreen; current: string }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumb">
      <ol>
        <li>
          <a href={parent.href}>{parent.label}</a>
        </li>
        <li aria-current="page">{current}</li>
      </ol>
    </nav>
  );
}

/** A titled section of a page, named by its heading; `actions` sit beside the heading. */
export function Card({
  id,
  title,
  actions,
  children,
}: {
  /** Makes the heading's id, `${id}-title`. */
  id: string;
  title: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
}) {
  const heading = <h2 id={`${id}-title`}>{title}</h2>;
  return (
    <section class="card" aria-labelledby={`${id}-title`}>
      {actions ? (
        <div class="page-header">
          {heading}
          {actions}
        </div>
      ) : (
        heading
      )}
      {children}
    </section>
  );
}

/**
 * A page about one object (an agent, a webhook): while its query fails, loads or finds nothing,
 * a page that says so; then the object's page under a breadcrumb bearing its name.
 */
export function ObjectPage<T>({
  query,
  object,
  id,
  noun,
  parent,
  name,
  titleId,
  children,
}: {
  query: { data: unknown; error: ErrorView | undefined; reload(): Promise<void> };
  object: T | null | undefined;
  id: string;
  /** What the object is, in lower case: `agent`. */
  noun: string;
  parent: ParentScreen;
  name: (object: T) => string;
  /** The id of the object page's h1, which names the page's section. */
  titleId: string;
  children: (object: T) => ComponentChildren;
}) {
  const Noun = noun.charAt(0).toUpperCase() + noun.slice(1);
  if (query.error && !query.data) {
    return (
      <section>
        <Breadcrumb parent={parent} current={Noun} />
        <h1 tabIndex={-1}>{Noun}</h1>
        <ErrorMessage error={query.error} retry={() => void query.reload()} />
      </section>
    );
  }
  if (!query.data) return <Loading what={`the ${noun}`} />;
  if (!object) {
    return (
      <section>
        <Breadcrumb parent={parent} current="Not found" />
        <h1 tabIndex={-1}>{Noun} not found</h1>
        <p>
          No {noun} <code>{id}</code> in this organization: it may have been deleted.{' '}
          <a href={parent.href}>Back to the {parent.label.toLowerCase()}</a>.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby={titleId} class="stack">
      <Breadcrumb parent={parent} current={name(object)} />
      {children(object)}
    </section>
  );
}
