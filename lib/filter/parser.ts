// Filter expressions to syntax trees: a recursive-descent parser for the grammar of current
// falcosecurity/libs (userspace/libsinsp/filter/parser.h), a superset of what sysdig 0.29.3 accepts.
//
// Grammar (EBNF):
//
//     Expr                 ::= OrExpr
//     OrExpr               ::= AndExpr ('or' OrExprTail)*
//     OrExprTail           ::= ' ' AndExpr
//                            | '(' Expr ')'
//     AndExpr              ::= NotExpr ('and' AndExprTail)*
//     AndExprTail          ::= ' ' NotExpr
//                            | '(' Expr ')'
//     NotExpr              ::= ('not ')* NotExprTail
//     NotExprTail          ::= 'not(' Expr ')'
//                            | Check
//     Check                ::= Field Condition
//                            | FieldTransformer Condition
//                            | Identifier
//                            | '(' Expr ')'
//     FieldTransformer     ::= FieldTransformerType FieldTransformerTail
//     FieldTransformerTail ::= FieldTransformerArg (',' FieldTransformerArg)* ')' ('[' FieldArg ']')?
//     FieldTransformerArg  ::= FieldTransformer | Field | QuotedStr | NumValue | TransformerList
//     TransformerList      ::= '(' (TransformerListArg (',' TransformerListArg)*)? ')'
//     TransformerListArg   ::= Field | FieldTransformer | QuotedStr | NumValue
//     FieldTransformerOrVal::= FieldTransformer
//                            | FieldTransformerVal Field ')'
//     Condition            ::= UnaryOperator
//                            | NumOperator (NumValue | FieldTransformerOrVal)
//                            | StrOperator (StrValue | FieldTransformerOrVal)
//                            | StrOperator StrOperatorModifier ListValue
//                            | ListOperator (ListValue | FieldTransformerOrVal)
//     ListValue            ::= '(' (StrValue (',' StrValue)*)* ')'
//                            | Identifier
//     Field                ::= FieldName ('[' FieldArg ']')?
//     FieldArg             ::= QuotedStr | FieldArgBareStr
//     NumValue             ::= HexNumber | Number
//     StrValue             ::= QuotedStr | BareStr
//
//     UnaryOperator        ::= 'exists'
//     NumOperator          ::= '<=' | '<' | '>=' | '>'
//     StrOperator          ::= '==' | '=' | '!=' | 'bcontains ' | 'bstartswith ' | 'contains '
//                            | 'endswith ' | 'glob ' | 'icontains ' | 'iglob ' | 'startswith ' | 'regex '
//     StrOperatorModifier  ::= 'oneof ' | 'anyof ' | 'allof '
//     ListOperator         ::= 'in' | 'intersects' | 'pmatch'
//     FieldTransformerVal  ::= 'val('
//     FieldTransformerType ::= 'tolower(' | 'toupper(' | 'b64(' | 'basename(' | 'len(' | 'join('
//                            | 'concat(' | 'getopt('
//
//     Identifier           ::= [a-zA-Z]+[a-zA-Z0-9_]*
//     FieldName            ::= [a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+
//     FieldArgBareStr      ::= [^ \b\t\n\r\[\]"']+
//     HexNumber            ::= 0[xX][0-9a-fA-F]+
//     Number               ::= [+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)?
//     QuotedStr            ::= "(?:\\"|.)*?"|'(?:\\'|.)*?'
//     BareStr              ::= [^ \b\t\n\r\(\),="'][^ \b\t\n\r\(\),"']*
//
// Precedence: not binds tightest, then and, then or. A word operator needs a blank after it.
// Leniencies kept from sysdig 0.29.3 (so every 0.29.3 expression parses): a bare string may contain
// '=' after its first character; a NumOperator also takes a string value (`proc.name > m`); a missing
// value at the end of the expression or before ')' is the empty string (`fd.name=`); in quoted
// strings an unknown escape \c stays as the two characters.
// Nesting (parentheses and transformers) is limited to MAX_DEPTH levels, with a clean error.

import type { CheckExpr, Expr, FieldExpr, ListExpr, TransformerExpr, TransformerListExpr, TransformerName, ValueExpr } from './ast.js';
import { LIST_OPS, Lexer, byteString, NUM_OPS, STR_OPS, STR_OP_MODIFIERS, TRANSFORMERS, UNARY_OPS } from './lexer.js';

export const MAX_DEPTH = 200;

export function parseFilter(src: string): Expr {
  return new Parser(src).parse();
}

class Parser {
  private readonly lx: Lexer;
  private depth = 0;

  constructor(src: string) {
    this.lx = new Lexer(src);
  }

  parse(): Expr {
    const lx = this.lx;
    if (lx.src.trim() === '') lx.fail('the filter is empty');
    const e = this.parseOr();
    lx.blank();
    if (!lx.atEnd()) {
      if (lx.peek() === ')') lx.fail("unbalanced ')': no '(' to close");
      lx.fail(`unexpected token after '${lx.last}', expecting 'or', 'and' or the end`);
    }
    return e;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.lx.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  private parseOr(): Expr {
    const lx = this.lx;
    lx.blank();
    const col = lx.col;
    const children: Expr[] = [this.parseAnd()];
    lx.blank();
    while (this.keyword('or')) {
      if (!lx.blank()) {
        if (lx.str('(')) children.push(this.embedded(lx.col - 1));
        else lx.fail("expected a blank or '(' after 'or'");
      } else children.push(this.parseAnd());
      lx.blank();
    }
    return children.length > 1 ? { kind: 'or', children, col } : children[0]!;
  }

  private parseAnd(): Expr {
    const lx = this.lx;
    lx.blank();
    const col = lx.col;
    const children: Expr[] = [this.parseNot()];
    lx.blank();
    while (this.keyword('and')) {
      if (!lx.blank()) {
        if (lx.str('(')) children.push(this.embedded(lx.col - 1));
        else lx.fail("expected a blank or '(' after 'and'");
      } else children.push(this.parseNot());
      lx.blank();
    }
    return children.length > 1 ? { kind: 'and', children, col } : children[0]!;
  }

  /** `and` / `or` at the cursor (the caller checks what follows). */
  private keyword(k: string): boolean {
    return this.lx.str(k);
  }

  private parseNot(): Expr {
    const lx = this.lx;
    lx.blank();
    const col = lx.col;
    let neg = false;
    while (lx.notBlank()) neg = !neg;
    let child: Expr;
    if (lx.str('not(')) {
      neg = !neg;
      child = this.embedded(lx.col - 1);
    } else child = this.parseCheck();
    return neg ? { kind: 'not', child, col } : child;
  }

  /** After '(' (at column openCol): Expr ')'. */
  private embedded(openCol: number): Expr {
    const lx = this.lx;
    this.enter();
    lx.blank();
    if (lx.atEnd()) lx.fail(`unbalanced '(' at column ${openCol}: the filter ends inside it`);
    const e = this.parseOr();
    lx.blank();
    if (!lx.str(')')) {
      if (lx.atEnd()) lx.fail(`unbalanced '(' at column ${openCol}: expected ')'`);
      lx.fail(`expected ')' to close the '(' at column ${openCol}, or 'and', 'or'`);
    }
    this.depth--;
    return e;
  }

  private parseCheck(): Expr {
    const lx = this.lx;
    lx.blank();
    const col = lx.col;
    if (lx.str('(')) return this.embedded(col);
    if (lx.fieldName()) {
      const left = this.fieldRemainder(lx.last, col);
      return this.condition(left, col);
    }
    if (lx.strList(TRANSFORMERS)) {
      const name = lx.last.slice(0, -1) as TransformerName;
      const left = this.transformerRemainder(name, col);
      return this.condition(left, col);
    }
    if (lx.identifier()) {
      const w = lx.last;
      if (w === 'and' || w === 'or' || w === 'not') lx.fail(`unexpected '${w}': expected a field check or '('`, col);
      return { kind: 'ident', name: w, col };
    }
    if (lx.atEnd()) lx.fail('the filter ends where a field check or \'(\' was expected');
    if (lx.peek() === ')') lx.fail("unexpected ')': expected a field check or '('");
    return lx.fail("expected a field check (e.g. proc.name=curl), 'not' or '('");
  }

  private fieldRemainder(name: string, col: number): FieldExpr {
    return { kind: 'field', name, arg: this.optionalFieldArg(), col };
  }

  private optionalFieldArg(): string | undefined {
    const lx = this.lx;
    if (!lx.str('[')) return undefined;
    if (!lx.quoted() && !lx.fieldArgBare()) lx.fail('expected a field argument (a quoted or bare string) after \'[\'');
    const arg = lx.last;
    if (!lx.str(']')) lx.fail("expected ']' after the field argument");
    return arg;
  }

  private transformerRemainder(name: TransformerName, col: number): TransformerExpr {
    const lx = this.lx;
    this.enter();
    lx.blank();
    const args: TransformerExpr['args'] = [];
    do {
      args.push(this.transformerArg());
      lx.blank();
    } while (lx.str(','));
    lx.blank();
    if (!lx.str(')')) lx.fail(`expected ')' closing the ${name}( transformer`);
    this.depth--;
    return { kind: 'transformer', name, args, arg: this.optionalFieldArg(), col };
  }

  private transformerArg(): TransformerExpr['args'][number] {
    const lx = this.lx;
    lx.blank();
    const col = lx.col;
    if (lx.number() || lx.quoted()) return { kind: 'value', value: lx.last, quoted: lx.src[col - 1] === '"' || lx.src[col - 1] === "'", col };
    if (lx.str('(')) return this.transformerList(col);
    if (lx.strList(TRANSFORMERS)) return this.transformerRemainder(lx.last.slice(0, -1) as TransformerName, col);
    if (lx.fieldName()) return this.fieldRemainder(lx.last, col);
    return lx.fail('expected a transformer argument: a field, a transformer, a quoted string, a number or a list');
  }

  private transformerList(col: number): TransformerListExpr {
    const lx = this.lx;
    const items: TransformerListExpr['items'] = [];
    lx.blank();
    if (lx.str(')')) return { kind: 'tlist', items, col };
    for (;;) {
      lx.blank();
      const c = lx.col;
      if (lx.fieldName()) items.push(this.fieldRemainder(lx.last, c));
      else if (lx.strList(TRANSFORMERS)) {
        lx.blank();
        items.push(this.transformerRemainder(lx.last.slice(0, -1) as TransformerName, c));
      } else if (lx.quoted() || lx.number()) items.push({ kind: 'value', value: lx.last, quoted: lx.src[c - 1] === '"' || lx.src[c - 1] === "'", col: c });
      else lx.fail('expected a field, a transformer, a quoted string or a number in the list');
      lx.blank();
      if (lx.str(')')) return { kind: 'tlist', items, col };
      if (!lx.str(',')) lx.fail("expected ',' or ')' in the list");
    }
  }

  private condition(left: FieldExpr | TransformerExpr, col: number): CheckExpr {
    const lx = this.lx;
    lx.blank();
    const opCol = lx.col;
    if (lx.operator(UNARY_OPS)) return { kind: 'check', left, op: 'exists', opCol, right: undefined, col };
    if (lx.operator(NUM_OPS)) {
      const op = lx.last;
      return { kind: 'check', left, op, opCol, right: this.numValueOrTransformer(), col };
    }
    if (lx.operator(STR_OPS)) {
      let op = lx.last;
      const hadBlank = /^[a-z]/.test(op) || lx.blank();
      const save = lx.i;
      const saveLast = lx.last;
      if (hadBlank && lx.operator(STR_OP_MODIFIERS) && this.listValueFollows() && !this.boolKeywordFollows()) {
        op = op + ' ' + lx.last;
        return { kind: 'check', left, op, opCol, right: this.listValue(), col };
      }
      lx.i = save;
      lx.last = saveLast;
      return { kind: 'check', left, op, opCol, right: this.strValueOrTransformer(), col };
    }
    if (lx.operator(LIST_OPS)) {
      const op = lx.last;
      return { kind: 'check', left, op, opCol, right: this.listValueOrTransformer(), col };
    }
    if (lx.atEnd()) lx.fail('the filter ends where an operator was expected');
    return lx.fail('expected an operator: exists, <=, <, >=, >, ==, =, !=, glob, iglob, contains, icontains, bcontains, startswith, bstartswith, endswith, regex, in, intersects, pmatch');
  }

  private numValueOrTransformer(): ValueExpr | TransformerExpr {
    const lx = this.lx;
    lx.blank();
    const col = lx.col;
    const t = this.tryTransformerOrVal();
    if (t) return t;
    if (lx.number()) {
      // a number glued to more text is a bare string (0.29.3 reads the whole word)
      const save = lx.i;
      const n = lx.last;
      lx.i = col - 1;
      if (lx.bareStr() && lx.last !== n) return { kind: 'value', value: byteString(lx.last), quoted: false, col };
      lx.i = save;
      lx.last = n;
      return { kind: 'value', value: n, quoted: false, col };
    }
    return this.strValue(col);
  }

  private strValueOrTransformer(): ValueExpr | TransformerExpr {
    const lx = this.lx;
    lx.blank();
    const col = lx.col;
    const t = this.tryTransformerOrVal();
    if (t) return t;
    return this.strValue(col);
  }

  private strValue(col: number): ValueExpr {
    const lx = this.lx;
    if (lx.quoted()) return { kind: 'value', value: lx.last, quoted: true, col };
    if (lx.bareStr()) return { kind: 'value', value: byteString(lx.last), quoted: false, col };
    if (lx.atEnd() || lx.peek() === ')') return { kind: 'value', value: '', quoted: false, col };
    return lx.fail('expected a value: a quoted or bare string, a number, or a field transformer');
  }

  private listValueFollows(): boolean {
    const lx = this.lx;
    if (lx.peek() === '(') return true;
    const save = lx.i;
    const saveLast = lx.last;
    const ok = lx.identifier();
    lx.i = save;
    lx.last = saveLast;
    return ok;
  }

  private boolKeywordFollows(): boolean {
    return /^(?:and|or|not)(?![a-zA-Z0-9])/.test(this.lx.src.slice(this.lx.i, this.lx.i + 4));
  }

  private tryList(): ListExpr | undefined {
    const lx = this.lx;
    const col = lx.col;
    if (!lx.str('(')) return undefined;
    const values: ValueExpr[] = [];
    lx.blank();
    if (lx.str(')')) return { kind: 'list', values, col };
    for (;;) {
      lx.blank();
      const c = lx.col;
      if (lx.quoted()) values.push({ kind: 'value', value: lx.last, quoted: true, col: c });
      else if (lx.bareStr()) values.push({ kind: 'value', value: byteString(lx.last), quoted: false, col: c });
      else if (lx.atEnd()) lx.fail(`unbalanced '(' at column ${col}: the list is not closed`);
      else lx.fail('expected a value in the list');
      lx.blank();
      if (lx.str(')')) return { kind: 'list', values, col };
      if (lx.atEnd()) lx.fail(`unbalanced '(' at column ${col}: the list is not closed`);
      if (!lx.str(',')) lx.fail("expected ',' or ')' after a list value");
    }
  }

  private listValue(): ListExpr {
    const lx = this.lx;
    lx.blank();
    const col = lx.col;
    const l = this.tryList();
    if (l) return l;
    if (lx.identifier()) return { kind: 'list', values: [], ident: lx.last, col };
    return lx.fail('expected a list (v1, v2, ...) or a list name');
  }

  private listValueOrTransformer(): ListExpr | TransformerExpr {
    const lx = this.lx;
    lx.blank();
    const col = lx.col;
    const l = this.tryList();
    if (l) return l;
    const t = this.tryTransformerOrVal();
    if (t) return t;
    if (lx.identifier()) return { kind: 'list', values: [], ident: lx.last, col };
    return lx.fail("expected a list '(v1, v2, ...)' after the list operator");
  }

  private tryTransformerOrVal(): TransformerExpr | undefined {
    const lx = this.lx;
    lx.blank();
    const col = lx.col;
    if (lx.str('val(')) {
      this.enter();
      lx.blank();
      const fcol = lx.col;
      if (!lx.fieldName()) lx.fail("expected a field inside 'val('");
      const field = this.fieldRemainder(lx.last, fcol);
      lx.blank();
      if (!lx.str(')')) lx.fail("expected ')' closing the val( transformer");
      this.depth--;
      return { kind: 'transformer', name: 'val', args: [field], arg: this.optionalFieldArg(), col };
    }
    if (lx.strList(TRANSFORMERS)) return this.transformerRemainder(lx.last.slice(0, -1) as TransformerName, col);
    return undefined;
  }
}
