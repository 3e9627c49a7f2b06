import { deepEqual, equal, rejects } from "node:assert/strict";
import { transportFor } from "./_nodemailer.ts";
import { addLocalUser, allowSender, listQueue, startTollgate } from "./_server.ts";

const USER = { address: "test@domain.de", password: "testing" };

Deno.test("nodemailer relays through Tollgate with PLAIN, LOGIN and CRAM-MD5", async (t) => {
  const tollgate = await startTollgate();
  try {
    await addLocalUser(tollgate, USER);
    // Each mechanism sends as its own address in domain.de, granted to the user.
    await allowSender(tollgate, { user: USER.address, sender: "@domain.de" });
    for (const method of ["PLAIN", "LOGIN", "CRAM-MD5"]) {
      await t.step(`AUTH ${method} then relay to example.net`, async () => {
        const transport = transportFor(tollgate.smtpPort, {
          user: USER.address,
          pass: USER.password,
          method,
        });
        const sender = `${method.toLowerCase()}@domain.de`;
        try {
          const info = await transport.sendMail({
            envelope: { from: sender, to: ["someone@example.net"] },
            from: USER.address,
            to: "someone@example.net",
            subject: `relayed with ${method}`,
            text: "Hello from nodemailer.\n",
          });
          deepEqual(info.accepted, ["someone@example.net"]);
          equal(info.response.slice(0, 3), "250");
        } finally {
          transport.close();
        }
        const queued = (await listQueue(tollgate)).filter((message) => message.from === sender);
        equal(queued.length, 1);
        deepEqual(queued[0].to, ["someone@example.net"]);
        equal(queued[0].authUser, USER.address);
        equal(queued[0].clientAddress, "127.0.0.1");
        equal(queued[0].helo, "client.test");
      });
    }
    await t.step("a wrong password is refused with 535", async () => {
      const transport = transportFor(tollgate.smtpPort, {
        user: USER.address,
        pass: "wrong",
        method: "PLAIN",
      });
      try {
        await rejects(
          transport.sendMail({
            from: USER.address,
            to: "someone@example.net",
            text: "never sent\n",
          }),
          (error: { responseCode?: number }) => error.responseCode === 535,
        );
      } finally {
        transport.close();
      }
    });
  } finally {
    await tollgate.stop();
  }
});
