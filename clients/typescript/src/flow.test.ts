/**
 * The traveller's flow of docs/API.md's walk-through, through the generated client only, against a live server
 * (`HERITAGE_API_URL`, e.g. http://127.0.0.1:8000): device sign-up, register, login, places, plan, save (twice with
 * one Idempotency-Key), list, read, patch, feedback, refresh-token rotation, logout.
 *
 * Run by tests/e2e/test_typescript_client.py, which starts the server; by hand: `npm run test:flow`.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { createHeritageClient, type Problem } from "./client.js";

const baseUrl = process.env["HERITAGE_API_URL"];
if (baseUrl === undefined || baseUrl === "") {
  throw new Error("set HERITAGE_API_URL to a running `heritage serve`, e.g. http://127.0.0.1:8000");
}

/** The body of a 2xx answer, or a failed assertion that shows the problem+json the server sent instead. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (result.data === undefined) {
    assert.fail(`${what}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

/** The problem+json of a 4xx answer, or a failed assertion when the call succeeded. */
function problem(result: { error?: Problem; response: Response }, status: number, what: string): Problem {
  assert.equal(result.response.status, status, `${what}: expected HTTP ${status}`);
  assert.ok(result.error !== undefined, `${what}: no problem+json body`);
  assert.equal(result.response.headers.get("content-type"), "application/problem+json");
  return result.error;
}

// ---- the itinerary of POST /v1/plans is still `dict[str, Any]` in the OpenAPI document: narrowed at run time ----

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function firstVisitPlaceId(itinerary: unknown): string {
  const days = isRecord(itinerary) ? itinerary["days"] : undefined;
  const day = Array.isArray(days) ? days[0] : undefined;
  const visits = isRecord(day) ? day["visits"] : undefined;
  const visit = Array.isArray(visits) ? visits[0] : undefined;
  const placeId = isRecord(visit) ? visit["place_id"] : undefined;
  assert.equal(typeof placeId, "string", "the plan's first day has a visit with a place_id");
  return String(placeId);
}

test("a traveller signs up, plans, saves, rates and signs out through the generated client", async () => {
  const heritage = createHeritageClient(baseUrl);
  const { client } = heritage;
  const email = `traveller-${randomUUID()}@example.org`;
  const password = "correct horse battery";

  // The app install: an anonymous account.
  const device = ok(
    await client.POST("/v1/auth/device", { body: { device_name: "flow test" } }),
    "POST /v1/auth/device",
  );
  assert.equal(device.anonymous, true);
  heritage.signIn(device);

  // Give it an email and password; the account (and its data) stays the same.
  const registered = ok(await client.POST("/v1/auth/register", { body: { email, password } }), "register");
  assert.equal(registered.anonymous, false);
  assert.equal(registered.user_id, device.user_id);
  heritage.signIn(registered);

  // The same account from a second device: login opens another session (its refresh token is used at the end).
  const otherDevice = ok(await client.POST("/v1/auth/login", { body: { email, password } }), "login");
  assert.equal(otherDevice.user_id, registered.user_id);
  const wrongPassword = await client.POST("/v1/auth/login", { body: { email, password: "not the password" } });
  assert.match(problem(wrongPassword, 401, "login with a wrong password").type, /^https?:\/\//);

  // Find a place (query parameters are typed too).
  const places = ok(
    await client.GET("/v1/places", { params: { query: { q: "van mieu", lang: "vi" } } }),
    "GET /v1/places",
  );
  const temple = places.items[0];
  assert.ok(temple !== undefined, "van mieu finds a place");
  assert.equal(temple.name, "Văn Miếu – Quốc Tử Giám");

  // Plan a day for someone who likes heritage and food.
  const planned = ok(
    await client.POST("/v1/plans", {
      body: {
        start: "hoan-kiem-lake",
        date: "2026-11-24",
        window: "09:00-17:00",
        interests: { heritage: 1.0, cuisine: 0.7 },
        mode: "bus",
      },
    }),
    "POST /v1/plans",
  );
  const placeId = firstVisitPlaceId(planned.itinerary);

  // Save it; a retried save with the same Idempotency-Key is the same itinerary.
  const save = {
    params: { header: { "idempotency-key": `flow-${randomUUID()}` } },
    body: { title: "Heritage and food", plan: planned.itinerary },
  };
  const first = await client.POST("/v1/itineraries", save);
  const saved = ok(first, "POST /v1/itineraries");
  assert.equal(first.response.status, 201);
  const again = await client.POST("/v1/itineraries", save);
  assert.equal(ok(again, "POST /v1/itineraries (replayed)").id, saved.id);
  assert.equal(again.response.status, 200);
  assert.equal(again.response.headers.get("idempotent-replayed"), "true");

  // List and read.
  const page = ok(await client.GET("/v1/me/itineraries", { params: { query: { limit: 10 } } }), "list");
  assert.deepEqual(
    page.items.map((item) => item.id),
    [saved.id],
  );
  assert.equal(page.next_cursor, null);
  const read = ok(
    await client.GET("/v1/itineraries/{itinerary_id}", { params: { path: { itinerary_id: saved.id } } }),
    "GET /v1/itineraries/{id}",
  );
  assert.equal(read.title, "Heritage and food");
  assert.equal(firstVisitPlaceId(read.plan), placeId);

  // Rename it and add a note.
  const patched = ok(
    await client.PATCH("/v1/itineraries/{itinerary_id}", {
      params: { path: { itinerary_id: saved.id } },
      body: { title: "Heritage, food and a lake", notes: "book the water puppets" },
    }),
    "PATCH /v1/itineraries/{id}",
  );
  assert.equal(patched.title, "Heritage, food and a lake");
  assert.equal(patched.notes, "book the water puppets");
  assert.ok(Date.parse(patched.updated_at) >= Date.parse(patched.created_at));

  // Rate the first visit; re-sending the same events is harmless.
  const feedback = {
    body: {
      events: [
        {
          event_id: "visit-0001",
          kind: "visit" as const,
          place_id: placeId,
          itinerary_id: saved.id,
          occurred_at: "2026-11-24T10:30:00+07:00",
        },
        {
          event_id: "rating-0001",
          kind: "rating" as const,
          rating: 5,
          place_id: placeId,
          itinerary_id: saved.id,
          occurred_at: "2026-11-24T11:45:00+07:00",
        },
      ],
    },
  };
  const acknowledged = ok(await client.POST("/v1/feedback", feedback), "POST /v1/feedback").acknowledged;
  assert.deepEqual(acknowledged, ["visit-0001", "rating-0001"]);
  assert.deepEqual(ok(await client.POST("/v1/feedback", feedback), "POST /v1/feedback (again)").acknowledged, [
    "visit-0001",
    "rating-0001",
  ]);

  // The access token expires: trade the refresh token for a new pair; the new access token works.
  const usedRefresh = registered.refresh_token;
  const rotated = ok(await client.POST("/v1/auth/refresh", { body: { refresh_token: usedRefresh } }), "refresh");
  assert.notEqual(rotated.refresh_token, usedRefresh);
  heritage.signIn(rotated);
  const reread = ok(
    await client.GET("/v1/itineraries/{itinerary_id}", { params: { path: { itinerary_id: saved.id } } }),
    "GET /v1/itineraries/{id} with the refreshed token",
  );
  assert.equal(reread.title, "Heritage, food and a lake");

  // Sign out: the refresh token is revoked ...
  const logout = await client.POST("/v1/auth/logout", { body: { refresh_token: rotated.refresh_token } });
  assert.equal(logout.response.status, 204);
  heritage.signOut();
  problem(
    await client.POST("/v1/auth/refresh", { body: { refresh_token: rotated.refresh_token } }),
    401,
    "refresh with a signed-out token",
  );
  // ... and presenting a used or signed-out refresh token signed out every session, the other device's too.
  problem(
    await client.POST("/v1/auth/refresh", { body: { refresh_token: otherDevice.refresh_token } }),
    401,
    "refresh of another session after token reuse",
  );

  // Without a token, the itinerary is not readable.
  problem(
    await client.GET("/v1/itineraries/{itinerary_id}", { params: { path: { itinerary_id: saved.id } } }),
    401,
    "GET /v1/itineraries/{id} signed out",
  );
});
