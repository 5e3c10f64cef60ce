// Importing this module also brings in the core types (Method, Headers, Body, ByteStream, ...).
@_exported import WerkCore
