// The manifest and the static files: valid MV3, what it asks for, nothing remote, no HTML parsing.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const read = (path) => readFileSync(join(ROOT, path), "utf8");

function filesUnder(dir, ext) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === "test" || name === "node_modules" || name.startsWith(".")) continue;
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, ext));
    else if (path.endsWith(ext)) out.push(path);
  }
  return out;
}

const manifest = JSON.parse(read("manifest.json"));
const htmlFiles = filesUnder(ROOT, ".html");
const jsFiles = filesUnder(ROOT, ".js");

describe("manifest.json", () => {
  it("is Manifest V3 with the product name", () => {
    assert.equal(manifest.manifest_version, 3);
    assert.equal(manifest.name, "responder – webcare-assistent");
    assert.match(manifest.version, /^\d+(\.\d+){0,3}$/);
    assert.ok(manifest.description.length <= 132, "Chrome limits the description to 132 characters");
  });
  it("asks only for what it uses", () => {
    assert.deepEqual([...manifest.permissions].sort(), ["clipboardWrite", "contextMenus", "storage"]);
    assert.deepEqual(manifest.host_permissions, ["http://127.0.0.1/*", "http://localhost/*"]);
    assert.deepEqual(manifest.optional_host_permissions, ["https://*/*", "http://*/*"]);
    assert.equal(manifest.content_scripts, undefined);
    assert.ok(!JSON.stringify(manifest).includes("<all_urls>"));
  });
  it("names files that exist", () => {
    const files = [
      manifest.background.service_worker,
      manifest.options_ui.page,
      ...Object.values(manifest.icons),
      ...Object.values(manifest.action.default_icon),
    ];
    for (const file of files) assert.ok(existsSync(join(ROOT, file)), `missing ${file}`);
    assert.equal(manifest.background.type, "module");
  });
  it("the toolbar button and a shortcut bring the responder window back (no bubble popup)", () => {
    assert.equal(manifest.action.default_popup, undefined);
    assert.equal(manifest.commands["show-window"].suggested_key.default, "Alt+Shift+R");
    assert.match(manifest.commands["show-window"].description, /venster/);
  });
  it("icons are PNGs of the stated size", () => {
    for (const [size, file] of Object.entries(manifest.icons)) {
      const data = readFileSync(join(ROOT, file));
      assert.equal(data.subarray(1, 4).toString("latin1"), "PNG", file);
      assert.equal(data.readUInt32BE(16), Number(size), `${file} width`);
      assert.equal(data.readUInt32BE(20), Number(size), `${file} height`);
    }
  });
  it("keeps the strict extension-page CSP", () => {
    const csp = manifest.content_security_policy.extension_pages;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|https?:/);
  });
});

describe("context menu", () => {
  it("background.js offers 'Webcare-antwoord voorstellen' on selected text", () => {
    const source = read("background.js");
    assert.match(source, /MENU_TITLE = "Webcare-antwoord voorstellen"/);
    assert.match(source, /contexts: \["selection"\]/);
  });
});

describe("html pages", () => {
  it("there are the popup and the options page", () => {
    const names = htmlFiles.map((f) => relative(ROOT, f)).sort();
    assert.deepEqual(names, ["options.html", "popup.html"]);
  });
  for (const file of htmlFiles) {
    const name = relative(ROOT, file);
    const html = readFileSync(file, "utf8");
    it(`${name}: Dutch, UTF-8, not machine-translated`, () => {
      assert.match(html, /<html lang="nl" translate="no">/);
      assert.match(html, /<meta charset="utf-8">/i);
    });
    it(`${name}: no remote scripts, styles or images`, () => {
      const urls = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]);
      assert.ok(urls.length > 0);
      for (const url of urls) {
        assert.doesNotMatch(url, /^(?:[a-z]+:)?\/\//i, `${name} loads ${url}`);
        assert.ok(existsSync(join(ROOT, url.split("?")[0])), `${name} refers to missing ${url}`);
      }
    });
    it(`${name}: no inline script or event handlers (MV3 CSP forbids them)`, () => {
      for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        assert.match(m[1], /\bsrc=/, `${name} has an inline <script>`);
        assert.equal(m[2].trim(), "", `${name} has script content`);
      }
      assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${name} has an inline event handler`);
      assert.doesNotMatch(html, /javascript:/i);
    });
  }
});

describe("scripts", () => {
  it("no remote code, no eval, no HTML parsing (textContent/createElement only)", () => {
    for (const file of jsFiles) {
      const name = relative(ROOT, file);
      const source = readFileSync(file, "utf8");
      assert.doesNotMatch(source, /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment)\b/, `${name} parses HTML`);
      assert.doesNotMatch(source, /\beval\s*\(|new Function\s*\(/, `${name} evaluates code`);
      assert.doesNotMatch(source, /importScripts\s*\(/, name);
      assert.doesNotMatch(source, /\bimport\s*(?:\(\s*|[^;]*?from\s*)["'](?:https?:)?\/\//, `${name} imports remote code`);
    }
  });
  it("imports are relative files that exist (no npm packages, no CDN)", () => {
    for (const file of jsFiles) {
      const source = readFileSync(file, "utf8");
      for (const m of source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/gm)) {
        const spec = m[1];
        assert.match(spec, /^\.\.?\//, `${relative(ROOT, file)} imports ${spec}`);
        assert.ok(existsSync(resolve(dirname(file), spec)), `${relative(ROOT, file)}: ${spec} missing`);
      }
    }
  });
  it("the package.json has no dependencies", () => {
    const pkg = JSON.parse(read("package.json"));
    assert.equal(pkg.dependencies, undefined);
    assert.equal(pkg.devDependencies, undefined);
    assert.equal(pkg.type, "module");
  });
  it("the stylesheet loads nothing remote", () => {
    const css = read("popup.css");
    assert.doesNotMatch(css, /@import|url\(\s*["']?(?:https?:)?\/\//i);
  });
});
