// The filter syntax tree. Every node records the 1-based column where it starts, for error messages.

export type Expr = AndExpr | OrExpr | NotExpr | CheckExpr | IdentExpr;

export interface AndExpr {
  kind: 'and';
  children: Expr[];
  col: number;
}

export interface OrExpr {
  kind: 'or';
  children: Expr[];
  col: number;
}

export interface NotExpr {
  kind: 'not';
  child: Expr;
  col: number;
}

/** A bare identifier where a check was expected: a macro or list name in Falco rules. */
export interface IdentExpr {
  kind: 'ident';
  name: string;
  col: number;
}

/** `field op value`, `field exists`, `field in (...)`, `tolower(field) = val(other.field)`. */
export interface CheckExpr {
  kind: 'check';
  left: FieldExpr | TransformerExpr;
  /** operator as written, modifiers joined by one blank: "=", "contains", "in", "= oneof" */
  op: string;
  opCol: number;
  /** undefined for unary operators */
  right: ValueExpr | ListExpr | FieldExpr | TransformerExpr | undefined;
  col: number;
}

export interface FieldExpr {
  kind: 'field';
  /** field name without argument, e.g. "proc.aname" or "evt.arg.fd" */
  name: string;
  /** text between [ and ], unescaped when quoted */
  arg: string | undefined;
  col: number;
}

export type TransformerName = 'tolower' | 'toupper' | 'b64' | 'basename' | 'len' | 'join' | 'concat' | 'getopt' | 'val';

export interface TransformerExpr {
  kind: 'transformer';
  name: TransformerName;
  args: (FieldExpr | TransformerExpr | ValueExpr | TransformerListExpr)[];
  arg: string | undefined;
  col: number;
}

export interface ValueExpr {
  kind: 'value';
  /** unescaped text */
  value: string;
  quoted: boolean;
  col: number;
}

export interface ListExpr {
  kind: 'list';
  values: ValueExpr[];
  /** a list identifier instead of a literal list (Falco lists), else undefined */
  ident?: string;
  col: number;
}

/** `(a, proc.name, tolower(fd.name), 5)`: a list argument of a transformer, e.g. join's or getopt's. */
export interface TransformerListExpr {
  kind: 'tlist';
  items: (FieldExpr | TransformerExpr | ValueExpr)[];
  col: number;
}
