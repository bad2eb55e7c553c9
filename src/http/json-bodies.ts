import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * A POST to /graphql must carry its operation as `application/json`; anything else is refused
 * with 415 before the body is read. Yoga also parses `application/x-www-form-urlencoded`,
 * `multipart/form-data` and `application/graphql` bodies: a browser sends the first two (and
 * `text/plain`) from any web page without a CORS preflight, so accepting them would let other
 * sites post mutations. GET (queries only; Yoga refuses mutations over GET) is unaffected.
 */
export function useJsonBodiesOnly(): Plugin {
  return {
    onRequestParse({ request }) {
      if (request.method !== 'POST') return;
      if (mediaType(request.headers.get('content-type')) === 'application/json') return;
      throw new GraphQLError(
        'Unsupported Media Type: send the operation as JSON, with Content-Type: application/json',
        { extensions: { http: { status: 415 }, code: 'UNSUPPORTED_MEDIA_TYPE' } },
      );
    },
  };
}

/** `application/json; charset=utf-8` → `application/json`. */
function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}
