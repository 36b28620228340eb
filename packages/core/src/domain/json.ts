/** A JSON value as stored in metadata and payload columns. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object, the shape of every `metadata` and `payload` field. */
export type JsonObject = { [key: string]: JsonValue };
