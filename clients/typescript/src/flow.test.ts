/**
 * The traveller's flow of docs/API.md's walk-through, through the generated client only, against a live server
 * (`HERITAGE_API_URL`, e.g. http://127.0.0.1:8000): device sign-up, register, login, places, plan, save (twice with
 * one Idempotency-Key), list, read, patch (title and notes; a visit removed), feedback, refresh-token rotation, logout.
 *
 * Run by tests/e2e/test_typescript_client.py, which starts the server; by hand: `npm run test:flow`.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { createHeritageClient, type Problem, type Schemas } from "./client.js";

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

/** A problem's `type` is this plus a slug that never changes (docs/API.md, Problem types): clients switch on it. */
const PROBLEM_TYPE = "https://heritage.example/problems/";

/** RFC 3339 with an offset: what every timestamp of the API is. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

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
  assert.equal(problem(wrongPassword, 401, "login with a wrong password").type, `${PROBLEM_TYPE}bad-credentials`);

  // Find a place (query parameters are typed too).
  const places = ok(
    await client.GET("/v1/places", { params: { query: { q: "van mieu", lang: "vi" } } }),
    "GET /v1/places",
  );
  const temple = places.items[0];
  assert.ok(temple !== undefined, "van mieu finds a place");
  assert.equal(temple.name, "Văn Miếu – Quốc Tử Giám");

  // Plan a day for someone who likes heritage and food.
  const request: Schemas["PlanRequest"] = {
    start: "hoan-kiem-lake",
    date: "2026-11-24",
    window: "09:00-17:00",
    interests: { heritage: 1.0, cuisine: 0.7 },
    mode: "bus",
  };
  const planned = ok(await client.POST("/v1/plans", { body: request }), "POST /v1/plans");
  const day = planned.itinerary.days[0];
  assert.ok(day !== undefined, "the plan has a day");
  assert.equal(day.date, "2026-11-24");
  const firstVisit = day.visits[0];
  assert.ok(firstVisit !== undefined, "the day has visits");
  const placeId = firstVisit.place_id;
  assert.equal(day.legs.length, day.visits.length + 1, "a leg to each visit and one to the end");
  const sights = day.visits.filter((visit) => visit.kind === "visit");
  assert.ok(sights.length >= 2, "the day has two sights or more (one is removed below)");

  // Save it; a retried save with the same Idempotency-Key is the same itinerary.
  const save = {
    params: { header: { "idempotency-key": `flow-${randomUUID()}` } },
    body: { title: "Heritage and food", plan: planned.itinerary, request },
  };
  const first = await client.POST("/v1/itineraries", save);
  const saved = ok(first, "POST /v1/itineraries");
  assert.equal(first.response.status, 201);
  const again = await client.POST("/v1/itineraries", save);
  assert.equal(ok(again, "POST /v1/itineraries (replayed)").id, saved.id);
  assert.equal(again.response.status, 200);
  assert.equal(again.response.headers.get("idempotent-replayed"), "true");

  // List (summaries) and read (the whole plan).
  const page = ok(await client.GET("/v1/me/itineraries", { params: { query: { limit: 10 } } }), "list");
  assert.equal(page.next_cursor, null);
  const [summary, ...others] = page.items;
  assert.ok(summary !== undefined && others.length === 0, "one itinerary listed");
  assert.equal(summary.id, saved.id);
  assert.equal(summary.title, "Heritage and food");
  assert.equal(summary.days, 1);
  assert.equal(summary.first_date, "2026-11-24");
  assert.equal(summary.visit_count, day.visits.length);
  assert.equal(summary.first_place?.place_id, placeId);
  assert.match(summary.created_at, RFC3339);
  const read = ok(
    await client.GET("/v1/itineraries/{itinerary_id}", { params: { path: { itinerary_id: saved.id } } }),
    "GET /v1/itineraries/{id}",
  );
  assert.equal(read.title, "Heritage and food");
  assert.equal(read.plan?.days[0]?.visits[0]?.place_id, placeId);
  assert.equal(read.request?.start, "hoan-kiem-lake");
  assert.match(read.created_at, RFC3339);
  assert.match(read.updated_at, RFC3339);

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

  // Leave the day's last sight out: the day is re-timed without it.
  const removed = sights[sights.length - 1];
  assert.ok(removed !== undefined);
  const kept = day.visits.filter((visit) => visit !== removed);
  const edited = ok(
    await client.PATCH("/v1/itineraries/{itinerary_id}", {
      params: { path: { itinerary_id: saved.id } },
      body: {
        days: [{ day: 1, visits: kept.map((visit) => ({ place_id: visit.place_id })) }],
      },
    }),
    "PATCH /v1/itineraries/{id} removing a visit",
  );
  const editedDay = edited.plan?.days[0];
  assert.ok(editedDay !== undefined, "the edited itinerary has its day");
  assert.deepEqual(
    editedDay.visits.map((visit) => visit.place_id),
    kept.map((visit) => visit.place_id),
  );
  assert.equal(editedDay.legs.length, editedDay.visits.length + 1, "the legs were re-timed for the new visit list");
  assert.equal(edited.title, "Heritage, food and a lake");

  // An edit naming a place that does not exist is refused, naming the visit and the place meant; nothing changes.
  const withTypo = editedDay.visits.map((visit) => ({ place_id: visit.place_id }));
  withTypo.push({ place_id: "temple-of-literture" });
  const typo = await client.PATCH("/v1/itineraries/{itinerary_id}", {
    params: { path: { itinerary_id: saved.id } },
    body: {
      days: [{ day: 1, visits: withTypo }],
    },
  });
  const refused = problem(typo, 422, "PATCH adding a mistyped place");
  assert.equal(refused.type, `${PROBLEM_TYPE}trip-error`);
  const [refusedVisit] = refused.errors ?? [];
  assert.ok(refusedVisit !== undefined, "the problem names the visit");
  assert.equal(refusedVisit.field, `days.0.visits.${editedDay.visits.length}`);
  assert.equal(refusedVisit.place_id, "temple-of-literture");
  assert.deepEqual(refusedVisit.suggestions?.slice(0, 1), ["temple-of-literature"], "the place meant comes first");

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
  assert.equal(reread.plan?.days[0]?.visits.length, day.visits.length - 1);

  // Sign out: the refresh token is revoked ...
  const logout = await client.POST("/v1/auth/logout", { body: { refresh_token: rotated.refresh_token } });
  assert.equal(logout.response.status, 204);
  heritage.signOut();
  const signedOut = problem(
    await client.POST("/v1/auth/refresh", { body: { refresh_token: rotated.refresh_token } }),
    401,
    "refresh with a signed-out token",
  );
  assert.equal(signedOut.type, `${PROBLEM_TYPE}invalid-token`);
  // ... and presenting a used or signed-out refresh token signed out every session, the other device's too.
  problem(
    await client.POST("/v1/auth/refresh", { body: { refresh_token: otherDevice.refresh_token } }),
    401,
    "refresh of another session after token reuse",
  );

  // Without a token, the itinerary is not readable.
  const anonymous = problem(
    await client.GET("/v1/itineraries/{itinerary_id}", { params: { path: { itinerary_id: saved.id } } }),
    401,
    "GET /v1/itineraries/{id} signed out",
  );
  assert.equal(anonymous.type, `${PROBLEM_TYPE}unauthorized`);
});
