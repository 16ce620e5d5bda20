#pragma once

// Markdown pages the retrieval tests share: several sections about reading
// a whole file, one that mentions a product in passing (Python) and jargon
// (regex), and one an error class heads.

namespace chatkit::test {

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
