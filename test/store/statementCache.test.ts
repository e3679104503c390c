import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedStatements } from '../../src/store/db.js';

/** The SQLite store keeps prepared statements by SQL text (src/store/db.ts). */
describe('SQLite prepared-statement cache', () => {
  let sqlite: SQLite.Database;
  afterEach(() => {
    if (sqlite?.open) sqlite.close();
  });
  const open = () => {
    sqlite = new SQLite(':memory:');
    sqlite.exec('create table t (id integer primary key, v text)');
    sqlite.exec("insert into t (v) values ('أ'), ('ب'), ('ج')");
    return sqlite;
  };

  it('returns the same statement for the same text, and drops the least recently used past the bound', () => {
    const db = cachedStatements(open(), 2);
    const a = db.prepare('select v from t where id = ?');
    expect(db.prepare('select v from t where id = ?')).toBe(a);
    const b = db.prepare('select count(*) as n from t');
    db.prepare('select v from t where id = ?'); // a is now the most recent
    db.prepare('select max(id) as m from t'); // evicts b
    expect(db.prepare('select v from t where id = ?')).toBe(a);
    expect(db.prepare('select count(*) as n from t')).not.toBe(b);
    expect(a.all([2])).toEqual([{ v: 'ب' }]);
  });

  it('hands a fresh statement while the cached one is being iterated', () => {
    const db = cachedStatements(open());
    const text = 'select v from t order by id';
    const seen: unknown[] = [];
    for (const row of db.prepare(text).iterate([])) {
      seen.push(row);
      expect(db.prepare(text).all([])).toHaveLength(3);
    }
    expect(seen).toHaveLength(3);
    expect(db.prepare(text).all([])).toHaveLength(3);
  });

  it('sees a column added after the statement was cached', () => {
    const db = cachedStatements(open());
    expect(db.prepare('select * from t where id = ?').all([1])).toEqual([{ id: 1, v: 'أ' }]);
    sqlite.exec("alter table t add column w text not null default 'x'");
    expect(db.prepare('select * from t where id = ?').all([1])).toEqual([{ id: 1, v: 'أ', w: 'x' }]);
  });

  it('closes the database', () => {
    const db = cachedStatements(open());
    db.prepare('select 1');
    db.close();
    expect(sqlite.open).toBe(false);
  });
});
