#pragma once

// Markdown pages the retrieval tests share. files_md: two API sections
// with options, code and a table; more_files_md: several sections about
// reading a whole file, one that mentions a product in passing (Python) and
// jargon (regex), and one an error class heads.

namespace chatkit::test {

inline constexpr const char* files_md = R"(# Files

Reading and writing files.

## fs.readFile(path, callback)

Asynchronously reads the entire contents of a file. The callback gets the data.

* `path` {string} The file name.
* `options` {Object}
  * `encoding` {string} The text encoding, e.g. `'utf8'`. **Default:** `null`.
  * `flag` {string} File system flag. **Default:** `'r'`.

```js
readFile('/etc/hosts', (err, data) => {
  if (err) throw err;
  console.log(data);
});
```

## fs.rm(path[, options])

Removes files and directories.

* `recursive` {boolean} If `true`, perform a recursive directory removal. **Default:** `false`.

## Limits

| setting | default |
|---|---|
| `MAX_FILES` | 100 |
| `MAX_DEPTH` | 8 |
)";

inline constexpr const char* more_files_md = R"(# More files

## Reading the entire contents of a file in chunks

Read the entire contents of a file in chunks with a stream.

## Reading a file at once

Read the entire contents of a file into memory.

## Reading the entire contents of a file line by line

Read the entire contents of a file line by line.

## Building addons

Addons are compiled with Python 3 and a C++ compiler. Every regex is beside the point.

## Class: RangeError

Thrown when a value is outside the accepted range.
)";

} // namespace chatkit::test
