import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
} from 'graphql';
import { PAGE_SIZE } from '../shared/pagination.ts';

/**
 * How big a GraphQL document is, measured before anything runs: what the query limits check.
 *
 * - `depth`: the deepest chain of nested fields (`{ a { b } }` is 2), fragments expanded.
 * - `cost`: an estimate of the fields the response may hold. Each field costs 1, plus its
 *   selection times a multiplier: a connection's page size for its `edges` (`first`/`last` as
 *   written, the largest page when it comes from a variable, since validation never sees
 *   variables and its result is cached per document; the default page when absent), and
 *   `LIST_MULTIPLIER` for any other list. Introspection fields are measured like any other, so
 *   `__type { fields { type { fields ... } } }` grows tenfold per level, as it really does.
 * - `aliases`, `directives`: how many the document writes (each written once counts once).
 *
 * Fragments are measured once each (a fragment's size does not depend on where it is spread),
 * so a "fragment bomb" (each fragment spreading the previous one twice) costs linear time to
 * measure while its cost grows exponentially. A fragment that spreads itself, directly or not,
 * counts as empty: the spec's NoFragmentCycles rule rejects the document anyway.
 */
export interface DocumentMeasure {
  depth: number;
  cost: number;
  aliases: number;
  directives: number;
}

/** The multiplier of a list field's selection when nothing says how long the list is. */
export const LIST_MULTIPLIER = 10;

interface Size {
  depth: number;
  cost: number;
}

const EMPTY: Size = { depth: 0, cost: 0 };

export function measureDocument(schema: GraphQLSchema, document: DocumentNode): DocumentMeasure {
  let aliases = 0;
  let directives = 0;
  visit(document, {
    Field(node) {
      if (node.alias) aliases++;
    },
    Directive() {
      directives++;
    },
  });
  const measurer = new Measurer(schema, document);
  let depth = 0;
  let cost = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const size = measurer.operation(definition);
    depth = Math.max(depth, size.depth);
    cost += size.cost;
  }
  return { depth, cost, aliases, directives };
}

class Measurer {
  readonly #schema: GraphQLSchema;
  readonly #fragments = new Map<string, FragmentDefinitionNode>();
  readonly #measured = new Map<string, Size>();
  readonly #inProgress = new Set<string>();

  constructor(schema: GraphQLSchema, document: DocumentNode) {
    this.#schema = schema;
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        this.#fragments.set(definition.name.value, definition);
      }
    }
  }

  operation(node: OperationDefinitionNode): Size {
    return this.#selectionSet(
      node.selectionSet,
      this.#schema.getRootType(node.operation) ?? undefined,
    );
  }

  #selectionSet(
    set: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    edgesSize?: number,
  ): Size {
    let depth = 0;
    let cost = 0;
    for (const selection of set.selections) {
      let size: Size;
      if (selection.kind === Kind.FIELD) {
        size = this.#field(selection, parent, edgesSize);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? this.#schema.getType(selection.typeCondition.name.value)
          : parent;
        size = this.#selectionSet(selection.selectionSet, type, edgesSize);
      } else {
        size = this.#fragment(selection.name.value);
      }
      depth = Math.max(depth, size.depth);
      cost += size.cost;
    }
    return { depth, cost };
  }

  #fragment(name: string): Size {
    const known = this.#measured.get(name);
    if (known) return known;
    const fragment = this.#fragments.get(name);
    if (!fragment || this.#inProgress.has(name)) return EMPTY;
    this.#inProgress.add(name);
    const size = this.#selectionSet(
      fragment.selectionSet,
      this.#schema.getType(fragment.typeCondition.name.value),
    );
    this.#inProgress.delete(name);
    this.#measured.set(name, size);
    return size;
  }

  #field(node: FieldNode, parent: GraphQLNamedType | undefined, edgesSize?: number): Size {
    const definition =
      parent && isCompositeType(parent)
        ? this.#schema.getField(parent, node.name.value)
        : undefined;
    if (!node.selectionSet) return { depth: 1, cost: 1 };
    const type = definition ? getNamedType(definition.type) : undefined;
    const pageSize = definition ? connectionPageSize(definition, node) : undefined;
    const inner = this.#selectionSet(node.selectionSet, type, pageSize);
    let multiplier = 1;
    if (definition && isList(definition)) {
      multiplier =
        node.name.value === 'edges' && edgesSize !== undefined ? edgesSize : LIST_MULTIPLIER;
    }
    return { depth: 1 + inner.depth, cost: 1 + multiplier * inner.cost };
  }
}

function isList(field: GraphQLField<unknown, unknown>): boolean {
  const type = isNonNullType(field.type) ? field.type.ofType : field.type;
  return isListType(type);
}

/** The page a connection field asks for, or undefined when the field is not a connection. */
function connectionPageSize(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
): number | undefined {
  const isConnection =
    field.args.some((arg) => arg.name === 'first') && field.args.some((arg) => arg.name === 'last');
  if (!isConnection) return undefined;
  let size: number | undefined;
  for (const argument of node.arguments ?? []) {
    if (argument.name.value !== 'first' && argument.name.value !== 'last') continue;
    const value = argument.value;
    const asked =
      value.kind === Kind.INT
        ? Number(value.value)
        : value.kind === Kind.NULL
          ? PAGE_SIZE.defaultSize
          : PAGE_SIZE.maxSize; // a variable: assume the largest page
    size = Math.max(size ?? 0, Math.min(Math.max(asked, 0), PAGE_SIZE.maxSize));
  }
  return size ?? PAGE_SIZE.defaultSize;
}
