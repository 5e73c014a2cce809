// Reads GIFT on stdin, prints gift-pegjs's parse as JSON on stdout (exit 1 and the error on stderr if it fails).
"use strict";
const { parse } = require("gift-pegjs");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  try {
    process.stdout.write(JSON.stringify(parse(input)));
  } catch (error) {
    const where = error.location ? ` at line ${error.location.start.line}, column ${error.location.start.column}` : "";
    process.stderr.write(`${error.name}: ${error.message}${where}\n`);
    process.exit(1);
  }
});
