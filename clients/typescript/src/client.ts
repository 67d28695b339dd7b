/**
 * The Hanoi heritage API client: openapi-fetch over the types openapi-typescript generates from the service's
 * OpenAPI document (`src/schema.d.ts`, made by `npm run generate`; never edited by hand).
 */
import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, paths };
export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type Tokens = Schemas["TokenResponse"];

/** Where the client keeps the signed-in account's tokens (an app would persist them). */
export interface Session {
  accessToken: string | null;
  refreshToken: string | null;
}

/** A typed client for `baseUrl` (e.g. `http://127.0.0.1:8000`) that sends the session's access token as a bearer. */
export function createHeritageClient(baseUrl: string, session: Session = { accessToken: null, refreshToken: null }) {
  const client = createClient<paths>({ baseUrl });
  const bearer: Middleware = {
    onRequest({ request }) {
      if (session.accessToken !== null && !request.headers.has("Authorization")) {
        request.headers.set("Authorization", `Bearer ${session.accessToken}`);
      }
      return request;
    },
  };
  client.use(bearer);
  return {
    client,
    session,
    /** Keep a token pair from device sign-up, register, login or refresh. */
    signIn(tokens: Tokens): void {
      session.accessToken = tokens.access_token;
      session.refreshToken = tokens.refresh_token;
    },
    signOut(): void {
      session.accessToken = null;
      session.refreshToken = null;
    },
  };
}

export type HeritageClient = ReturnType<typeof createHeritageClient>;
