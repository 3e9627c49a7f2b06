/**
 * Which domain's key signs: the `From:` domain, else the envelope sender's; for an
 * authenticated user the `From:` domain only when it is the envelope sender's, so one
 * customer's user cannot get another customer's signature. (The signatures themselves are
 * verified by dkimpy and mailauth in integration_dkim_test.ts.)
 */
import { deepEqual } from "node:assert/strict";
import { generateDkimKey } from "../delivery/dkim_keygen.ts";
import { createDkimSigner } from "../delivery/dkim_signer.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import type { QueuedMessage } from "../store/types.ts";
import { test } from "./_portable.ts";

const NOW = Date.UTC(2026, 11, 7);

async function signerWithKeys() {
  const stores = createMemoryStores(() => NOW);
  for (const domain of ["customer-a.test", "customer-b.test"]) {
    await stores.dkim.put(await generateDkimKey(domain, "s1", "ed25519-sha256", NOW));
  }
  await stores.networks.add("192.0.2.0/24");
  return createDkimSigner({ keys: stores.dkim, networks: stores.networks, now: () => NOW });
}

/** The `d=` of each signature the signer makes for `message` with header `From: <from>`. */
async function signingDomains(
  message: Partial<QueuedMessage> & { from: string },
  headerFrom: string,
): Promise<string[]> {
  const sign = await signerWithKeys();
  const text = `From: ${headerFrom}\r\nTo: friend@example.net\r\nSubject: hi\r\n\r\nHello.\r\n`;
  const queued: QueuedMessage = {
    id: "00000000000000000001",
    to: ["friend@example.net"],
    clientAddress: "198.51.100.7",
    helo: "client.example.net",
    receivedAt: NOW,
    size: text.length,
    ...message,
  };
  const signatures = await sign(queued, async function* () {
    yield new TextEncoder().encode(text);
  });
  if (!signatures) return [];
  return [...new TextDecoder().decode(signatures).matchAll(/\bd=([^;\s]+)/g)].map((m) => m[1]);
}

test("dkim signer: an authenticated user's From: domain signs when it is the envelope sender's", async () => {
  deepEqual(
    await signingDomains(
      { from: "ann@customer-a.test", authUser: "ann@customer-a.test" },
      "Ann <boss@customer-a.test>",
    ),
    ["customer-a.test"],
  );
});

test("dkim signer: another customer's From: domain never signs an authenticated user's mail", async () => {
  deepEqual(
    await signingDomains(
      { from: "bob@customer-b.test", authUser: "bob@customer-b.test" },
      "CEO <ceo@customer-a.test>",
    ),
    ["customer-b.test"],
  );
  deepEqual(
    await signingDomains(
      { from: "bob@nokeys.test", authUser: "bob@nokeys.test" },
      "ceo@customer-a.test",
    ),
    [],
  );
});

test("dkim signer: a trusted network's mail signs with its From: domain", async () => {
  deepEqual(
    await signingDomains(
      { from: "app@customer-b.test", clientAddress: "192.0.2.25" },
      "App <noreply@customer-a.test>",
    ),
    ["customer-a.test"],
  );
});

test("dkim signer: mail neither authenticated nor from a trusted network is not signed", async () => {
  deepEqual(
    await signingDomains({ from: "someone@customer-a.test" }, "someone@customer-a.test"),
    [],
  );
});
