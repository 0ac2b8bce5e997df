// Makes the mochawesome reports (and the TEST step's log around them) that
// pytest-amplify's local service serves and its tests read. See README.md.
//
//   npm ci && npm ci --prefix mochawesome3 && node make-reports.js
//
// Every report is written by the real tools (mocha, mochawesome, mochawesome-merge,
// yarn, and mochawesome 3 for the old shape), never by hand. What Cypress adds
// around them in its log (the run's boxes and tables, the screenshot and video
// names) follows the output of `cypress run` in Cypress's own system tests; the
// README cites each source.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const HERE = __dirname;
const REPO = path.resolve(HERE, "..", "..", "..");
const SERVICE_DATA = path.join(REPO, "pytest_amplify", "testing", "cypress_runs");
const TEST_DATA = path.join(HERE, "reports");
const MODULES = path.join(HERE, "node_modules");
const MERGE = path.join(MODULES, "mochawesome-merge", "bin", "mochawesome-merge.js");
const YARN = path.join(MODULES, "yarn", "bin", "yarn.js");
const OLD_MODULES = path.join(HERE, "mochawesome3", "node_modules");
const REPORT_DIR = "cypress/report/mochawesome-report";
const REPORT_GLOB = `${REPORT_DIR}/*.json`;
const TEST_COMMAND =
  'npx cypress run --reporter mochawesome --reporter-options "reportDir=cypress/report/mochawesome-report,overwrite=false,html=false,json=true"';
const MERGE_COMMAND =
  "npx mochawesome-merge cypress/report/mochawesome-report/mochawesome*.json > cypress/report/mochawesome.json";

// The runs the local service serves: a TEST step that failed, one that passed.
const RUNS = {
  failing: ["cart.cy.js", "login.cy.js"],
  passing: ["home.cy.js"],
};

function run(command, args, options) {
  const done = spawnSync(command, args, { encoding: "utf8", ...options });
  if (done.error) throw done.error;
  return done;
}

function workdir(name, specs, folder) {
  // A fixed place, so that the paths in the reports are the same at every run.
  const dir = path.join(os.tmpdir(), `pytest-amplify-shop-${name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "cypress", "e2e"), { recursive: true });
  for (const spec of specs) {
    fs.copyFileSync(path.join(HERE, "specs", folder, spec), path.join(dir, "cypress", "e2e", spec));
  }
  fs.copyFileSync(path.join(HERE, "errors.js"), path.join(dir, "errors.js"));
  fs.symlinkSync(MODULES, path.join(dir, "node_modules"));
  fs.writeFileSync(path.join(dir, "package.json"), '{"name": "shop", "private": true}\n');
  return dir;
}

function runSpec(dir, spec, modules = MODULES) {
  const events = path.join(dir, `${spec}.events.json`);
  const done = run(
    process.execPath,
    [path.join(HERE, "run-spec.js"), `cypress/e2e/${spec}`, REPORT_DIR, events],
    { cwd: dir, env: { ...process.env, NODE_PATH: modules } },
  );
  return { console: done.stdout, events: JSON.parse(fs.readFileSync(events, "utf8")) };
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

// -- the counts Cypress prints for a spec, from its report ---------------------------

function* suitesOf(suite) {
  yield suite;
  for (const child of suite.suites) yield* suitesOf(child);
}

function specCounts(report) {
  const counts = { tests: 0, passing: 0, failing: 0, pending: 0, skipped: 0 };
  for (const result of report.results) {
    for (const suite of suitesOf(result)) {
      for (const test of suite.tests) {
        counts.tests += 1;
        if (test.state === "passed") counts.passing += 1;
        else if (test.state === "failed") counts.failing += 1;
        else if (test.pending) counts.pending += 1;
        else counts.skipped += 1;
      }
      // Cypress fails the test a failed hook ran for and skips the rest of them.
      for (const hook of [...suite.beforeHooks, ...suite.afterHooks]) {
        if (hook.state === "failed") {
          counts.failing += 1;
          counts.skipped -= 1;
        }
      }
    }
  }
  return counts;
}

// -- Cypress's log around mocha's, as `cypress run` prints it ------------------------

const WIDTH = 100;
const RULE = "─".repeat(WIDTH);
const DOUBLE_RULE = "=".repeat(WIDTH);

function box(rows) {
  return [
    `  ┌${"─".repeat(WIDTH - 4)}┐`,
    ...rows.map((row) => `  │ ${row.padEnd(WIDTH - 6)} │`),
    `  └${"─".repeat(WIDTH - 4)}┘`,
  ];
}

// One entry of the (Screenshots) and (Video) lists: the text cut at a fixed width,
// the rest on the lines below, the note (size, time) at the right of the first.
function listed(label, text, note) {
  const width = WIDTH - 5 - label.length - 5 - note.length;
  const lines = [`  -  ${label}${text.slice(0, width).padEnd(width)}     ${note}`];
  const indent = 5 + label.length;
  for (let at = width; at < text.length; at += WIDTH - indent) {
    lines.push(`${" ".repeat(indent)}${text.slice(at, at + WIDTH - indent).padEnd(WIDTH - indent)}`);
  }
  return lines;
}

function cell(n) {
  return String(n || "-").padStart(9);
}

function clock(ms) {
  const seconds = Math.round(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

function tableRow(icon, name, ms, c) {
  // Names longer than the column go on in the next row, as Cypress wraps them.
  const first = name.slice(0, 35);
  const numbers = [c.tests, c.passing, c.failing, c.pending, c.skipped].map(cell).join("");
  const rows = [`  │ ${icon}  ${first.padEnd(41)}${clock(ms)}${numbers} │`];
  for (let at = 35; at < name.length; at += 35) {
    rows.push(`  │    ${name.slice(at, at + 35).padEnd(WIDTH - 7)}│`);
  }
  return rows;
}

function cypressOutput(dir, specs, results) {
  const lines = [
    "",
    DOUBLE_RULE,
    "",
    "  (Run Starting)",
    "",
    ...box([
      "Cypress:        13.6.4",
      "Browser:        Electron 114 (headless)",
      "Node Version:   v20.11.0 (/usr/local/bin/node)",
      `Specs:          ${specs.length} found (${specs.join(", ")})`,
      "Searched:       cypress/e2e/**/*.cy.{js,jsx,ts,tsx}",
    ]),
    "",
    "",
  ];
  const totals = { tests: 0, passing: 0, failing: 0, pending: 0, skipped: 0 };
  const rows = [];
  let failedSpecs = 0;
  let totalMs = 0;
  specs.forEach((spec, index) => {
    const { console: printed, events, report } = results[spec];
    const counts = specCounts(report);
    const ms = report.stats.duration;
    const video = `${dir}/cypress/videos/${spec}.mp4`;
    lines.push(
      RULE,
      " ".repeat(WIDTH),
      `  Running:  ${spec.padEnd(WIDTH - 20)}${`(${index + 1} of ${specs.length})`.padStart(8)}`,
      ...printed.replace(/\n+$/, "").split("\n"),
      "",
      "",
      "  (Results)",
      "",
      ...box([
        `Tests:        ${counts.tests}`,
        `Passing:      ${counts.passing}`,
        `Failing:      ${counts.failing}`,
        `Pending:      ${counts.pending}`,
        `Skipped:      ${counts.skipped}`,
        `Screenshots:  ${events.screenshots.length}`,
        "Video:        true",
        `Duration:     ${Math.max(1, Math.round(ms / 1000))} second${Math.round(ms / 1000) > 1 ? "s" : ""}`,
        `Spec Ran:     ${spec}`,
      ]),
      "",
    );
    if (events.screenshots.length) {
      lines.push("", "  (Screenshots)", "");
      for (const shot of events.screenshots) lines.push(...listed("", `${dir}/${shot}`, "(1280x720)"));
      lines.push("");
    }
    lines.push(
      "",
      "  (Video)",
      "",
      `  -  ${"Started processing:  Compressing to 32 CRF".padEnd(WIDTH - 5)}`,
      ...listed("Finished processing: ", video, "(1 second)"),
      "",
      "",
    );
    for (const key of Object.keys(totals)) totals[key] += counts[key];
    totalMs += ms;
    const failed = counts.failing > 0;
    failedSpecs += failed ? 1 : 0;
    rows.push(...tableRow(failed ? "✖" : "✔", spec, ms, counts));
  });
  const summary = failedSpecs
    ? `${failedSpecs} of ${specs.length} failed (${Math.round((100 * failedSpecs) / specs.length)}%)`
    : "All specs passed!";
  const numbers = [totals.tests, totals.passing, totals.failing, totals.pending, totals.skipped]
    .map(cell)
    .join("");
  lines.push(
    DOUBLE_RULE,
    "",
    "  (Run Finished)",
    "",
    "",
    "       Spec                                              Tests  Passing  Failing  Pending  Skipped  ",
    `  ┌${"─".repeat(WIDTH - 4)}┐`,
    ...rows,
    `  └${"─".repeat(WIDTH - 4)}┘`,
    `    ${failedSpecs ? "✖" : "✔"}  ${summary.padEnd(41)}${clock(totalMs)}${numbers}  `,
    "",
    "",
  );
  return lines;
}

// Amplify's log: each event's first line after a timestamp and its level, the lines
// that follow indented to match (amplify-hosting#583, #753, #3235).
function amplifyLog(cypressLines, start) {
  let at = start;
  const out = [];
  const event = (lines, level = "INFO") => {
    const prefix = `${new Date(at).toISOString()} [${level}]: `;
    at += 137;
    out.push(prefix + lines[0], ...lines.slice(1).map((line) => " ".repeat(prefix.length) + line));
  };
  event(["# Starting phase: preTest", "# Executing command: npm ci"]);
  event(["added 1204 packages in 21s"]);
  event(["# Completed phase: preTest", "# Starting phase: test", `# Executing command: ${TEST_COMMAND}`]);
  // Cypress's output arrives in pieces: one event per paragraph.
  let piece = [];
  for (const line of cypressLines) {
    if (line.trim() === "" && piece.length && piece[piece.length - 1].trim() !== "") {
      event(piece);
      piece = [];
    }
    piece.push(line);
  }
  if (piece.length) event(piece);
  event(["# Starting phase: postTest", `# Executing command: ${MERGE_COMMAND}`]);
  event(["# Completed phase: postTest"]);
  return `${out.join("\n")}\n`;
}

function makeRun(name, specs, start) {
  const dir = workdir(name, specs, name);
  const results = {};
  for (const spec of specs) results[spec] = runSpec(dir, spec);
  const merged = run(process.execPath, [MERGE, REPORT_GLOB], { cwd: dir });
  if (merged.status !== 0) throw new Error(merged.stderr);
  const out = path.join(SERVICE_DATA, name);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, "report"), { recursive: true });
  fs.writeFileSync(path.join(out, "report", "mochawesome.json"), merged.stdout);
  for (const file of fs.readdirSync(path.join(dir, REPORT_DIR)).sort()) {
    copy(path.join(dir, REPORT_DIR, file), path.join(out, "report", "mochawesome-report", file));
    const report = JSON.parse(fs.readFileSync(path.join(dir, REPORT_DIR, file), "utf8"));
    const spec = path.basename(report.results[0].file);
    results[spec].report = report;
  }
  fs.writeFileSync(path.join(out, "test-log.txt"), amplifyLog(cypressOutput(dir, specs, results), start));
  const manifest = {
    made_by: "tests/data/e2e/make-reports.js",
    tools: versions(),
    status: specs.some((spec) => specCounts(results[spec].report).failing) ? "FAILED" : "SUCCEED",
    specs: specs.map((spec) => ({
      spec,
      counts: specCounts(results[spec].report),
      screenshots: results[spec].events.screenshots,
      attempts: results[spec].events.attempts,
      video: `cypress/videos/${spec}.mp4`,
    })),
  };
  fs.writeFileSync(path.join(out, "run.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

function versions() {
  const version = (modules, name) =>
    JSON.parse(fs.readFileSync(path.join(modules, name, "package.json"), "utf8")).version;
  return {
    node: process.version,
    mocha: version(MODULES, "mocha"),
    mochawesome: version(MODULES, "mochawesome"),
    "mochawesome-merge": version(MODULES, "mochawesome-merge"),
    yarn: version(MODULES, "yarn"),
  };
}

function main() {
  fs.rmSync(TEST_DATA, { recursive: true, force: true });
  fs.mkdirSync(TEST_DATA, { recursive: true });
  const failing = makeRun("failing", RUNS.failing, Date.UTC(2024, 4, 14, 10, 21, 7, 118));
  makeRun("passing", RUNS.passing, Date.UTC(2024, 4, 14, 11, 2, 41, 507));

  // `yarn mochawesome-merge ... > mochawesome.json`: yarn's banner before the JSON.
  const yarn = run(process.execPath, [YARN, "mochawesome-merge", REPORT_GLOB], { cwd: failing });
  fs.writeFileSync(path.join(TEST_DATA, "merged-by-yarn.json"), yarn.stdout);

  // One mocha run over both specs (not how Cypress runs them): the root suite's file is empty.
  const both = workdir("one-run", RUNS.failing, "failing");
  run(
    process.execPath,
    [
      path.join(MODULES, "mocha", "bin", "mocha.js"),
      "--reporter",
      "mochawesome",
      "--reporter-options",
      "reportDir=out,reportFilename=one-mocha-run,html=false,json=true",
      ...RUNS.failing.map((spec) => `cypress/e2e/${spec}`),
    ],
    { cwd: both, env: { ...process.env, NODE_PATH: MODULES } },
  );
  copy(path.join(both, "out", "one-mocha-run.json"), path.join(TEST_DATA, "one-mocha-run.json"));

  // A spec without a test: a run of 0 tests.
  const empty = workdir("empty", ["wip.cy.js"], "empty");
  runSpec(empty, "wip.cy.js");
  copy(path.join(empty, REPORT_DIR, "mochawesome.json"), path.join(TEST_DATA, "no-tests.json"));

  // mochawesome 3 (with the mocha of its time): the shape before `results`.
  const old = workdir("mochawesome3", ["home.cy.js"], "passing");
  run(
    process.execPath,
    [
      path.join(OLD_MODULES, "mocha", "bin", "_mocha"),
      "--reporter",
      path.join(OLD_MODULES, "mochawesome"),
      "--reporter-options",
      "reportDir=out,reportFilename=mochawesome3,html=false,json=true",
      "cypress/e2e/home.cy.js",
    ],
    { cwd: old, env: { ...process.env, NODE_PATH: OLD_MODULES } },
  );
  copy(path.join(old, "out", "mochawesome3.json"), path.join(TEST_DATA, "mochawesome3.json"));
  console.log(`wrote ${SERVICE_DATA} and ${TEST_DATA}`);
}

main();
