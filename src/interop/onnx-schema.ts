/**
 * The part of the ONNX file format (`onnx.proto`, https://github.com/onnx/onnx/blob/main/onnx/onnx.proto,
 * IR version 7 and later; MIT licensed spec) that a feed-forward image model uses, as a protobuf schema for
 * `protobufjs`, with the spec's field numbers and names. Left out: sub-graphs (`AttributeProto.g`,
 * `graphs`), sequence and map types, sparse tensors, functions and training info. So no message of this
 * schema contains itself, and how deep a decoded file can nest is bounded by the schema (fields it does not
 * know are skipped, down to protobufjs's recursion limit).
 */
import protobuf from 'protobufjs/light.js';

const int64 = (id: number) => ({ type: 'int64', id });
const string = (id: number) => ({ type: 'string', id });
const repeated = (type: string, id: number, packed?: boolean) =>
  packed === undefined ? { rule: 'repeated', type, id } : { rule: 'repeated', type, id, options: { packed } };

/** The schema, as a protobufjs JSON descriptor. */
const ONNX_SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: int64(1),
            producer_name: string(2),
            producer_version: string(3),
            domain: string(4),
            model_version: int64(5),
            doc_string: string(6),
            graph: { type: 'GraphProto', id: 7 },
            opset_import: repeated('OperatorSetIdProto', 8),
            metadata_props: repeated('StringStringEntryProto', 14),
          },
        },
        OperatorSetIdProto: { fields: { domain: string(1), version: int64(2) } },
        StringStringEntryProto: { fields: { key: string(1), value: string(2) } },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: string(2),
            initializer: repeated('TensorProto', 5),
            doc_string: string(10),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
            value_info: repeated('ValueInfoProto', 13),
          },
        },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: string(3),
            op_type: string(4),
            attribute: repeated('AttributeProto', 5),
            doc_string: string(6),
            domain: string(7),
          },
        },
        AttributeProto: {
          fields: {
            name: string(1),
            f: { type: 'float', id: 2 },
            i: int64(3),
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            strings: repeated('bytes', 9),
            tensors: repeated('TensorProto', 10),
            doc_string: string(13),
            type: { type: 'int32', id: 20 },
            ref_attr_name: string(21),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1),
            data_type: { type: 'int32', id: 2 },
            float_data: repeated('float', 4, true),
            int32_data: repeated('int32', 5, true),
            int64_data: repeated('int64', 7, true),
            name: string(8),
            raw_data: { type: 'bytes', id: 9 },
            double_data: repeated('double', 10, true),
            doc_string: string(12),
            external_data: repeated('StringStringEntryProto', 13),
            data_location: { type: 'int32', id: 14 },
          },
        },
        ValueInfoProto: {
          fields: { name: string(1), type: { type: 'TypeProto', id: 2 }, doc_string: string(3) },
        },
        TypeProto: {
          fields: { tensor_type: { type: 'TypeTensor', id: 1 }, denotation: string(6) },
        },
        TypeTensor: {
          fields: { elem_type: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: { fields: { dim: repeated('Dimension', 1) } },
        Dimension: { fields: { dim_value: int64(1), dim_param: string(2), denotation: string(3) } },
      },
    },
  },
};

/** The `ModelProto` message type: `encode(...).finish()` writes a file, `decode(bytes)` reads one. */
export const ModelProto: protobuf.Type = protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');

/** An int64 as protobufjs gives it: a number, or a `Long` when `long` is installed. */
export type Int64 = number | { toNumber(): number; high: number; low: number; unsigned?: boolean };

/** `TensorProto.DataType` values this module uses. */
export const DATA_TYPE = { FLOAT: 1, INT64: 7, DOUBLE: 11 } as const;

/** `AttributeProto.AttributeType` values. */
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** A decoded `TensorProto`. */
export interface TensorMessage {
  dims: Int64[];
  data_type: number;
  float_data: number[];
  int32_data: number[];
  int64_data: Int64[];
  double_data: number[];
  name: string;
  raw_data: Uint8Array;
  external_data: { key: string; value: string }[];
  data_location: number;
}

/** A decoded `AttributeProto`. */
export interface AttributeMessage {
  name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: TensorMessage | null;
  floats: number[];
  ints: Int64[];
}

/** A decoded `NodeProto`. */
export interface NodeMessage {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain: string;
  attribute: AttributeMessage[];
}

/** A decoded `ValueInfoProto`. */
export interface ValueInfoMessage {
  name: string;
  type?: {
    tensor_type?: {
      elem_type: number;
      shape?: { dim: { dim_value?: Int64 | null; dim_param?: string | null }[] } | null;
    } | null;
  } | null;
}

/** A decoded `GraphProto`. */
export interface GraphMessage {
  node: NodeMessage[];
  name: string;
  initializer: TensorMessage[];
  input: ValueInfoMessage[];
  output: ValueInfoMessage[];
}

/** A decoded `ModelProto`. */
export interface ModelMessage {
  ir_version: Int64;
  producer_name: string;
  producer_version: string;
  graph?: GraphMessage | null;
  opset_import: { domain: string; version: Int64 }[];
  metadata_props: { key: string; value: string }[];
}
