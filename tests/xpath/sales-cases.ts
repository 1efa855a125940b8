/**
 * The conformance table over the Sales dataset of sales-fixture.ts: every example of mendix.md §3.6
 * (numbered `#n`) and further cases (`x-...`), each with hand-written expected ids. The same table
 * runs through the predicate compiler (conformance.test.ts) and through `vault.query` on an
 * encrypted vault (tests/store/local-query.conformance.test.ts).
 */

/** A context both the predicate (XPathContext) and vault.query (LocalQueryOptions) accept. */
export interface CaseContext {
  user?: { id: string; roles: readonly string[] } | null;
  now?: Date;
  timeZone?: string;
  variables?: Record<string, unknown>;
  currentObject?: string;
}

export interface SalesCase {
  /** `#n` for mendix.md §3.6 example n, `x-<name>` for the others. */
  name: string;
  entity: string;
  xpath: string;
  /** Ids matching on the fixture data (any order); absent = parse only (names the fixture lacks). */
  expected?: string[];
  /** When the documented text uses names the fixture does not have, the evaluated equivalent. */
  evaluate?: string;
  ctx?: CaseContext;
}

const C = 'Sales.Customer';
const O = 'Sales.Order';
const F = 'QueryOver.Folder';
const U = 'System.User';
const docs = { variables: { ChosenFolder: { id: 'docs' } } };
// Wednesday 15 May 2024, 10:30:45 UTC; the week (Sunday start) is 12..18 May.
const may15 = new Date('2024-05-15T10:30:45.123Z');
// Sunday 31 March 2024, 12:00 UTC: Amsterdam moved from UTC+1 to UTC+2 at 01:00 UTC that night.
const dstDay = new Date('2024-03-31T12:00:00.000Z');
const ALL_NAMED = ['c1', 'c2', 'c3', 'c4', 'c6', 'c7', 'c8', 'c9', 'c10'];
const NOT_GOLD = ['c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c10'];

/** mendix.md §3.6, in order (#40 twice: the variable on either side). */
export const MENDIX_EXAMPLES: SalesCase[] = [
  { name: '#1', entity: C, xpath: "[Name='Jansen']", expected: ['c1', 'c9'] },
  { name: '#2', entity: C, xpath: "[Name='Jansen'][Sales.Customer_Address/Sales.Address/City = 'Rotterdam']", expected: ['c1'] },
  { name: '#3', entity: C, xpath: "[Name = 'Jansen' and Sales.Customer_Address/Sales.Address/City = 'Rotterdam']", expected: ['c1'] },
  { name: '#4', entity: C, xpath: "[Name = 'Jansen' or Sales.Customer_Address/Sales.Address/City = 'Rotterdam']", expected: ['c1', 'c9', 'c10'] },
  { name: '#5', entity: C, xpath: "[( Name = 'Jansen' or Name = 'Smit' ) and Sales.Customer_Address/Sales.Address/City = 'Rotterdam']", expected: ['c1'] },
  { name: '#6', entity: C, xpath: "[Sales.Customer_Address/Sales.Address[City = 'Rotterdam' or City = 'Losdun']]", expected: ['c1', 'c2', 'c10'] },
  {
    name: '#7',
    entity: C,
    xpath: "[Sales.Customer_Address/Sales.Address[City = 'New Amsterdam']/Sales.Address_Country/Sales.Country/Name = 'Guyana']",
    expected: ['c3'],
  },
  {
    name: '#8',
    entity: C,
    xpath:
      "[(Name = 'Thomson' and Sales.Customer_Address/Sales.Address/City = 'New York') or (Name = 'Thompson' and Sales.Customer_Address/Sales.Address/City = 'London')]",
    expected: ['c6', 'c7'],
  },
  { name: '#9', entity: O, xpath: '[TotalPrice < 50.00]', expected: ['o3'] },
  { name: '#10', entity: C, xpath: '[Sales.Customer_Order/Sales.Order/HasPayed = false()]', expected: ['c1', 'c3'] },
  { name: '#11', entity: C, xpath: '[Name = City]', expected: ['c3'] },
  { name: '#12', entity: C, xpath: "[Sales.Customer_Order = 'ID_124123512341']", evaluate: "[Sales.Customer_Order = 'o4']", expected: ['c3'] },
  { name: '#13', entity: C, xpath: '[Sales.Customer_Order/Sales.Order]', expected: ['c1', 'c2', 'c3', 'c6'] },
  { name: '#14', entity: C, xpath: '[not(Sales.Customer_Order/Sales.Order)]', expected: ['c4', 'c5', 'c7', 'c8', 'c9', 'c10'] },
  { name: '#15', entity: C, xpath: "[not(Name = 'Jansen')]", expected: ['c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c10'] },
  { name: '#16', entity: C, xpath: '[not(Sales.Customer_Order/Sales.Order/TotalPrice > 30000)]', expected: ['c2', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10'] },
  { name: '#17', entity: C, xpath: '[Sales.Customer_Order/Sales.Order/TotalPrice <= 30000]', expected: ['c1', 'c2', 'c6'] },
  { name: '#18', entity: C, xpath: "[contains(Name, 'an')]", expected: ['c1', 'c3', 'c9', 'c10'] },
  { name: '#19', entity: C, xpath: "[starts-with(Name, 'Jans')]", expected: ['c1', 'c9', 'c10'] },
  { name: '#20', entity: C, xpath: "[ends-with(Name, 'sen')]", expected: ['c1', 'c4', 'c9', 'c10'] },
  { name: '#21', entity: C, xpath: '[length(FirstName) >= 5]', expected: ['c5'] },
  { name: '#22', entity: C, xpath: '[IsGoldCustomer = true()]', expected: ['c1', 'c9'] },
  { name: '#23', entity: C, xpath: '[Name = NULL]', expected: ['c5'] },
  { name: '#24', entity: C, xpath: "[DateRegistered >= '[%BeginOfCurrentWeek%]']", expected: ['c1', 'c5'], ctx: { now: may15, timeZone: 'UTC' } },
  {
    name: '#25',
    entity: C,
    xpath: "[DateRegistered >= '[%BeginOfCurrentWeek%]' and DateRegistered < '[%EndOfCurrentWeek%]']",
    expected: ['c1'],
    ctx: { now: may15, timeZone: 'UTC' },
  },
  {
    name: '#26',
    entity: C,
    xpath: "[DateRegistered > '[%BeginOfCurrentDay%] - 3 * [%YearLength%]']",
    expected: ['c1', 'c2', 'c3', 'c5', 'c6'],
    ctx: { now: may15, timeZone: 'UTC' },
  },
  { name: '#27', entity: U, xpath: "[System.UserRoles = '[%UserRole_Administrator%]']", expected: ['u1'] },
  { name: '#28', entity: O, xpath: "[System.owner='[%CurrentUser%]']", expected: ['o1', 'o3'], ctx: { user: { id: 'u1', roles: ['User'] } } },
  {
    name: '#29',
    entity: O,
    xpath: "[Module.Order_Customer = '[%CurrentUser%]']",
    evaluate: "[Sales.Customer_Order = '[%CurrentUser%]']",
    expected: ['o1', 'o2'],
    ctx: { user: { id: 'c1', roles: [] } },
  },
  { name: '#30', entity: F, xpath: '[QueryOver.Folder_SubFolder=$ChosenFolder]', expected: ['letters', 'bills'], ctx: docs },
  { name: '#31', entity: F, xpath: '[QueryOver.Folder_SubFolder [reversed ()]=$ChosenFolder]', expected: ['root'], ctx: docs },
  {
    name: '#32',
    entity: 'QueryOver.File',
    xpath: '[QueryOver.File_Folder/QueryOver.Folder/QueryOver.Folder_SubFolder [reversed ()]=$ChosenFolder]',
    expected: ['f-root'],
    ctx: docs,
  },
  { name: '#33', entity: O, xpath: '[weekday-from-dateTime(DateAttribute) = 6]', expected: ['o1'], ctx: { timeZone: 'UTC' } },
  { name: '#34', entity: O, xpath: "[weekday-from-dateTime(DateAttribute, 'America/New_York') = 6]", expected: ['o1', 'o2'] },
  { name: '#35', entity: O, xpath: "[OrderStatus = 'Open']", expected: ['o2', 'o3', 'o6'] },
  { name: '#36', entity: O, xpath: '[TotalPrice >= 50]', expected: ['o1', 'o2', 'o4', 'o5', 'o6'] },
  {
    name: '#37',
    entity: O,
    xpath: "[Sales.Order_Customer/Sales.Customer/City = 'Rotterdam']",
    evaluate: "[Sales.Customer_Order/Sales.Customer/City = 'Rotterdam']",
    expected: ['o1', 'o2'],
  },
  { name: '#38', entity: O, xpath: "[OrderStatus = 'Open'] or [TotalPrice >= 50]", expected: ['o1', 'o2', 'o3', 'o4', 'o5', 'o6'] },
  // #39's truth table on the fixture's prices: = is true for 49.99, != for every other non-empty price.
  { name: '#39', entity: O, xpath: 'price = 9.80 or price = 9.70', evaluate: '[TotalPrice = 49.99 or TotalPrice = 49.98]', expected: ['o3'] },
  { name: '#39', entity: O, xpath: 'price != 9.80', evaluate: '[TotalPrice != 49.99]', expected: ['o1', 'o2', 'o4', 'o5', 'o6'] },
  { name: '#40', entity: C, xpath: '[($CurrentAddress = Sales.Customer_Address)]', expected: ['c6'], ctx: { variables: { CurrentAddress: { id: 'a6' } } } },
  { name: '#40', entity: C, xpath: '[(Sales.Customer_Address = $CurrentAddress)]', expected: ['c6'], ctx: { variables: { CurrentAddress: { id: 'a6' } } } },
];

/** Further cases: each attribute type, empty, paths both ways, self-references, tokens, variables, zones. */
export const EXTRA_CASES: SalesCase[] = [
  // strings: case-sensitive =, empty, indexed equality and or-of-equalities
  { name: 'x-not-equal-skips-empty', entity: C, xpath: "[Name != 'Jansen']", expected: ['c2', 'c3', 'c4', 'c6', 'c7', 'c8', 'c10'] },
  { name: 'x-equal-is-case-sensitive', entity: C, xpath: "[Name = 'jansen']", expected: ['c10'] },
  { name: 'x-or-of-equalities', entity: C, xpath: "[Name = 'Jansen' or Name = 'Smit']", expected: ['c1', 'c2', 'c9'] },
  { name: 'x-adjacent-with-empty', entity: C, xpath: "[Name = 'Thomson'][City = empty]", expected: ['c6', 'c8'] },
  { name: 'x-not-empty', entity: C, xpath: '[Name != empty]', expected: ALL_NAMED },
  { name: 'x-contains-empty-needle', entity: C, xpath: "[contains(Name, '')]", expected: ALL_NAMED },
  { name: 'x-starts-with-insensitive', entity: C, xpath: "[starts-with(FirstName, 'a')]", expected: ['c2'] },
  { name: 'x-length-equal', entity: C, xpath: '[length(Name) = 7]', expected: ['c6', 'c8'] },
  { name: 'x-string-length-less', entity: C, xpath: '[string-length(City) < 6]', expected: ['c3', 'c5'] },
  // decimals and integers (exact), booleans, enums
  { name: 'x-decimal-just-below', entity: C, xpath: '[CreditLimit > 0.29999999]', expected: ['c1', 'c2'] },
  { name: 'x-decimal-equal-trailing-zero', entity: C, xpath: '[CreditLimit = 0.30]', expected: ['c1'] },
  { name: 'x-decimal-third-place', entity: C, xpath: '[CreditLimit > 30000.001]', expected: ['c2'] },
  { name: 'x-integer-compare', entity: C, xpath: '[Visits >= 5]', expected: ['c4'] },
  { name: 'x-not-equal-on-empty-integers', entity: C, xpath: '[Visits != 5]', expected: [] },
  { name: 'x-boolean-false', entity: C, xpath: '[IsGoldCustomer = false()]', expected: NOT_GOLD },
  { name: 'x-boolean-quoted', entity: C, xpath: "[IsGoldCustomer = 'true']", expected: ['c1', 'c9'] },
  { name: 'x-decimal-empty', entity: O, xpath: '[TotalPrice = empty]', expected: ['o7'] },
  { name: 'x-decimal-not-equal', entity: O, xpath: '[TotalPrice != 30000]', expected: ['o1', 'o2', 'o3', 'o4', 'o6'] },
  { name: 'x-decimal-range', entity: O, xpath: '[TotalPrice > 30000 and TotalPrice < 30000.02]', expected: ['o4'] },
  { name: 'x-enum-not-equal', entity: O, xpath: "[OrderStatus != 'Open']", expected: ['o1', 'o4', 'o5'] },
  { name: 'x-integer-range', entity: O, xpath: '[Number >= 3 and Number < 6]', expected: ['o3', 'o4', 'o5'] },
  { name: 'x-integer-indexed', entity: O, xpath: '[Number = 4]', expected: ['o4'] },
  { name: 'x-indexed-and-path', entity: O, xpath: "[OrderStatus = 'Paid'][Sales.Customer_Order/Sales.Customer/IsGoldCustomer = true()]", expected: ['o1'] },
  // ids
  { name: 'x-id', entity: C, xpath: "[id = 'c4']", expected: ['c4'] },
  { name: 'x-id-or', entity: C, xpath: "[id = 'c4' or id = 'c7']", expected: ['c4', 'c7'] },
  { name: 'x-id-missing', entity: C, xpath: "[id = 'nobody']", expected: [] },
  { name: 'x-current-object', entity: C, xpath: "[id = '[%CurrentObject%]']", expected: ['c3'], ctx: { currentObject: 'c3' } },
  // paths: backward and forward, not(), sub-constraints, functions over paths
  { name: 'x-no-address', entity: C, xpath: '[not(Sales.Customer_Address/Sales.Address)]', expected: ['c4', 'c5'] },
  {
    name: 'x-two-paths',
    entity: C,
    xpath: "[Sales.Customer_Address/Sales.Address/City = 'New Amsterdam' and Sales.Customer_Order/Sales.Order/TotalPrice >= 30000]",
    expected: ['c3', 'c6'],
  },
  { name: 'x-two-step-path', entity: C, xpath: "[Sales.Customer_Address/Sales.Address/Sales.Address_Country/Sales.Country/Name = 'Guyana']", expected: ['c3', 'c6'] },
  {
    name: 'x-filter-mid-path',
    entity: C,
    xpath: "[Sales.Customer_Address/Sales.Address[City = 'New Amsterdam']/Sales.Address_Country/Sales.Country/Name = 'Netherlands']",
    expected: ['c6'],
  },
  { name: 'x-not-over-path', entity: C, xpath: "[not(Sales.Customer_Address/Sales.Address/City != 'London')]", expected: ['c4', 'c5', 'c7', 'c8'] },
  { name: 'x-filter-then-attribute', entity: C, xpath: '[Sales.Customer_Order/Sales.Order[HasPayed = true()]/TotalPrice > 30000]', expected: ['c1'] },
  { name: 'x-enum-over-path', entity: C, xpath: "[Sales.Customer_Order/Sales.Order/OrderStatus = 'Closed']", expected: ['c3'] },
  { name: 'x-contains-over-path', entity: C, xpath: "[contains(Sales.Customer_Address/Sales.Address/City, 'AMS')]", expected: ['c3', 'c6', 'c9'] },
  {
    name: 'x-group-and-not-path',
    entity: C,
    xpath: "[(Name = 'Thomson' or Name = 'Thompson') and not(Sales.Customer_Address/Sales.Address/City = 'London')]",
    expected: ['c6'],
  },
  { name: 'x-forward-reference-id', entity: O, xpath: "[Sales.Customer_Order = 'c1']", expected: ['o1', 'o2'] },
  { name: 'x-forward-boolean', entity: O, xpath: '[Sales.Customer_Order/Sales.Customer/IsGoldCustomer = true()]', expected: ['o1', 'o2'] },
  { name: 'x-no-customer', entity: O, xpath: '[not(Sales.Customer_Order/Sales.Customer)]', expected: ['o6', 'o7'] },
  { name: 'x-owner-name', entity: O, xpath: "[System.owner/System.User/Name = 'ann']", expected: ['o1', 'o3'] },
  { name: 'x-owner-role', entity: O, xpath: "[System.owner/System.User/System.UserRoles = '[%UserRole_Administrator%]']", expected: ['o1', 'o3'] },
  { name: 'x-no-user-no-match', entity: O, xpath: "[System.owner = '[%CurrentUser%]']", expected: [], ctx: { user: null } },
  // reference sets both ways
  { name: 'x-set-forward-path', entity: U, xpath: "[System.UserRoles/System.UserRole/Name = 'User']", expected: ['u1', 'u2'] },
  { name: 'x-set-empty', entity: U, xpath: '[not(System.UserRoles/System.UserRole)]', expected: ['u3'] },
  { name: 'x-set-backward-path', entity: 'System.UserRole', xpath: "[System.UserRoles/System.User/Name = 'bob']", expected: ['User'] },
  // the folder tree (self-reference: a folder holds its parent)
  { name: 'x-children-of-root', entity: F, xpath: "[QueryOver.Folder_SubFolder/QueryOver.Folder/Name = 'root']", expected: ['docs', 'photos'] },
  { name: 'x-has-children', entity: F, xpath: '[QueryOver.Folder_SubFolder[reversed()]/QueryOver.Folder]', expected: ['root', 'docs'] },
  { name: 'x-no-parent', entity: F, xpath: '[not(QueryOver.Folder_SubFolder/QueryOver.Folder)]', expected: ['root'] },
  {
    name: 'x-grandchildren',
    entity: F,
    xpath: "[QueryOver.Folder_SubFolder/QueryOver.Folder/QueryOver.Folder_SubFolder/QueryOver.Folder/Name = 'root']",
    expected: ['letters', 'bills'],
  },
  { name: 'x-parent-of-bills', entity: F, xpath: "[QueryOver.Folder_SubFolder[reversed()]/QueryOver.Folder/Name = 'bills']", expected: ['docs'] },
  { name: 'x-indexed-folder', entity: F, xpath: "[Name = 'docs' or Name = 'photos']", expected: ['docs', 'photos'] },
  {
    name: 'x-files-under-root-children',
    entity: 'QueryOver.File',
    xpath: "[QueryOver.File_Folder/QueryOver.Folder/QueryOver.Folder_SubFolder/QueryOver.Folder/Name = 'root']",
    expected: ['f-docs', 'f-photo'],
  },
  { name: 'x-folders-with-files', entity: F, xpath: '[QueryOver.File_Folder/QueryOver.File]', expected: ['root', 'docs', 'photos', 'letters'] },
  // variables
  { name: 'x-variable-string', entity: C, xpath: '[Name = $name]', expected: ['c2'], ctx: { variables: { name: 'Smit' } } },
  { name: 'x-variable-null-is-empty', entity: C, xpath: '[Name = $none]', expected: ['c5'], ctx: { variables: { none: null } } },
  { name: 'x-variable-list', entity: C, xpath: '[Name = $names]', expected: ['c2', 'c3'], ctx: { variables: { names: ['Smit', 'Andy'] } } },
  { name: 'x-variable-ids', entity: C, xpath: '[Sales.Customer_Address = $addr]', expected: ['c7', 'c8'], ctx: { variables: { addr: ['a7', 'a8'] } } },
  // date functions and time tokens in zones, across a DST change
  { name: 'x-month-and-day', entity: O, xpath: "[month-from-dateTime(DateAttribute, 'UTC') = 5 and day-from-dateTime(DateAttribute, 'UTC') = 17]", expected: ['o1'] },
  { name: 'x-day-in-tokyo', entity: O, xpath: "[day-from-dateTime(DateAttribute, 'Asia/Tokyo') = 17]", expected: ['o1', 'o4'] },
  { name: 'x-hours-in-context-zone', entity: O, xpath: '[hours-from-dateTime(DateAttribute) = 14]', expected: ['o1'], ctx: { timeZone: 'Europe/Amsterdam' } },
  { name: 'x-week-in-amsterdam', entity: C, xpath: "[DateRegistered >= '[%BeginOfCurrentWeek%]']", expected: ['c1', 'c2', 'c5'], ctx: { now: may15, timeZone: 'Europe/Amsterdam' } },
  { name: 'x-dst-begin-of-day-amsterdam', entity: C, xpath: "[DateRegistered >= '[%BeginOfCurrentDay%]']", expected: ['c1', 'c2', 'c5', 'c6'], ctx: { now: dstDay, timeZone: 'Europe/Amsterdam' } },
  { name: 'x-dst-begin-of-day-utc', entity: C, xpath: "[DateRegistered >= '[%BeginOfCurrentDay%]']", expected: ['c1', 'c2', 'c5'], ctx: { now: dstDay, timeZone: 'UTC' } },
  { name: 'x-years-ago', entity: C, xpath: "[DateRegistered < '[%BeginOfCurrentDay%] - 2 * [%YearLength%]']", expected: ['c3', 'c4'], ctx: { now: may15, timeZone: 'UTC' } },
  { name: 'x-year-part', entity: C, xpath: '[year-from-dateTime(DateRegistered) = 2024]', expected: ['c1', 'c2', 'c5', 'c6'], ctx: { timeZone: 'UTC' } },
  { name: 'x-sunday-in-amsterdam', entity: C, xpath: "[weekday-from-dateTime(DateRegistered, 'Europe/Amsterdam') = 1]", expected: ['c2', 'c5', 'c6'] },
];

/** Every case of the table. */
export const SALES_CASES: SalesCase[] = [...MENDIX_EXAMPLES, ...EXTRA_CASES];
