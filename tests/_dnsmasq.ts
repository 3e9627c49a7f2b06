/**
 * A local DNS server for tests: Debian's dnsmasq on 127.0.0.1 and a kernel-picked port,
 * authoritative for `test` (`--local=/test/`: unknown names are NXDOMAIN), never asking
 * upstream, reading neither /etc/hosts nor /etc/resolv.conf.
 *
 * @module
 */
import dgram from "node:dgram";

/** A running dnsmasq. */
export interface RunningDnsmasq {
  /** The port it answers on (UDP and TCP) on 127.0.0.1. */
  port: number;
  /** `127.0.0.1:<port>`, the form `TOLLGATE_DNS` takes. */
  address: string;
  /** Stops it. */
  stop(): Promise<void>;
}

/**
 * Starts dnsmasq with extra options such as `--mx-host=example.test,mx.example.test,10` and
 * `--host-record=mx.example.test,127.0.0.1`, and waits until it answers.
 *
 * @example
 * ```ts ignore
 * const dns = await startDnsmasq(["--host-record=a.test,127.0.0.1"]);
 * try {
 *   console.log(await Deno.resolveDns("a.test", "A", { nameServer: { ipAddr: "127.0.0.1", port: dns.port } }));
 * } finally {
 *   await dns.stop();
 * }
 * ```
 */
export async function startDnsmasq(records: string[]): Promise<RunningDnsmasq> {
  let errors = "";
  // The port is free when picked, but another process may take it before dnsmasq binds it.
  for (let attempt = 0; attempt < 5 && (attempt === 0 || /in use/.test(errors)); attempt++) {
    const started = await startOn(await freeUdpAndTcpPort(), records);
    if (started.kind === "running") return started.dns;
    errors = started.errors;
  }
  throw new Error(`Cannot start dnsmasq: ${errors}`);
}

async function startOn(
  port: number,
  records: string[],
): Promise<{ kind: "running"; dns: RunningDnsmasq } | { kind: "failed"; errors: string }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("dnsmasq", {
      args: [
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        `--port=${port}`,
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--no-resolv",
        "--no-hosts",
        "--no-poll",
        "--pid-file=",
        "--local=/test/",
        ...records,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error("dnsmasq is missing: install it (apt-get install -y dnsmasq-base)");
    }
    throw error;
  }
  let exited = false;
  const status = child.status.then(() => void (exited = true));
  let errors = "";
  const drained = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) errors += text;
  })();
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await status;
    await drained;
  };
  for (let attempt = 0; attempt < 100 && !exited; attempt++) {
    try {
      await Deno.resolveDns("ready.invalid.test", "A", {
        nameServer: { ipAddr: "127.0.0.1", port },
        signal: AbortSignal.timeout(200),
      });
    } catch (error) {
      // NXDOMAIN for a name under `test`: it answers.
      if (error instanceof Deno.errors.NotFound && !exited) {
        return { kind: "running", dns: { port, address: `127.0.0.1:${port}`, stop } };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await stop();
  return { kind: "failed", errors: errors || `no answer on port ${port}` };
}

/** A port that is free for both UDP and TCP on 127.0.0.1 right now. */
async function freeUdpAndTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (tcp.addr as Deno.NetAddr).port;
    try {
      const udp = await bindUdp(port);
      udp.close();
      return port;
    } catch {
      // Taken for UDP: try another.
    } finally {
      tcp.close();
    }
  }
  throw new Error("Cannot find a port free for UDP and TCP on 127.0.0.1");
}

/**
 * Binds a UDP socket on 127.0.0.1 (`port` 0: the kernel picks), with `node:dgram` since
 * `Deno.listenDatagram` needs `--unstable-net`. The socket never answers.
 */
export function bindUdp(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    socket.once("error", reject);
    socket.bind(port, "127.0.0.1", () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}
