// The one live region: results and errors are announced to screen readers
// and shown at the top of the page.

const region = () => document.getElementById("status");

export function say(message) {
  region().className = "ok";
  region().textContent = message;
}

export function fail(error) {
  region().className = "error";
  region().textContent = error instanceof Error ? error.message : String(error);
}

export function clear() {
  region().className = "";
  region().textContent = "";
}

/** Runs `action`; its rejection is shown as the error. Returns its value or undefined. */
export async function attempt(action) {
  try {
    return await action();
  } catch (error) {
    fail(error);
    return undefined;
  }
}

/** Runs a change; says `message` when it worked and returns true, else shows the error. */
export async function change(action, message) {
  try {
    const result = await action();
    say(typeof message === "function" ? message(result) : message);
    return true;
  } catch (error) {
    fail(error);
    return false;
  }
}
