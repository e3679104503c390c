/**
 * Passwords that top the public breach-corpus lists (SecLists "10k most common", NCSC's
 * "100k-most-used", haveibeenpwned top lists), lowercased. Most are shorter than the minimum
 * length and fall there anyway; they are kept so the list stays the honest list, and so a rule
 * change on length cannot quietly let them back in. Checked case-insensitively.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '123456', 'password', '12345678', 'qwerty', '123456789', '12345', '1234', '111111', '1234567', 'dragon',
  '123123', 'baseball', 'abc123', 'football', 'monkey', 'letmein', '696969', 'shadow', 'master', '666666',
  'qwertyuiop', '123321', 'mustang', '1234567890', 'michael', '654321', 'superman', '1qaz2wsx', '7777777', '121212',
  '000000', 'qazwsx', '123qwe', 'killer', 'trustno1', 'jordan', 'jennifer', 'zxcvbnm', 'asdfgh', 'hunter',
  'buster', 'soccer', 'harley', 'batman', 'andrew', 'tigger', 'sunshine', 'iloveyou', '2000', 'charlie',
  'robert', 'thomas', 'hockey', 'ranger', 'daniel', 'starwars', 'klaster', '112233', 'george', 'computer',
  'michelle', 'jessica', 'pepper', '1111', 'zxcvbn', '555555', '11111111', '131313', 'freedom', '777777',
  'pass', 'maggie', '159753', 'aaaaaa', 'ginger', 'princess', 'joshua', 'cheese', 'amanda', 'summer',
  'love', 'ashley', 'nicole', 'chelsea', 'biteme', 'matthew', 'access', 'yankees', '987654321', 'dallas',
  'austin', 'thunder', 'taylor', 'matrix', 'welcome', 'admin', 'passw0rd', 'password1', 'password12', 'password123',
  'password1234', 'password12345', 'p@ssw0rd', 'p@ssword', 'qwerty123', 'qwerty1234', 'qwerty12345', 'qwerty123456', 'qwertyuiop123', '1q2w3e4r',
  '1q2w3e4r5t', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'zaq12wsx', 'zaq1zaq1', 'q1w2e3r4t5', 'q1w2e3r4t5y6', 'a1b2c3d4e5', 'abcd1234', 'abcdef123',
  'abc123456', 'abcdefghij', 'abcdefg123', 'asdfghjkl', 'asdfghjkl;', 'asdfasdfasdf', 'zxcvbnm123', 'qazwsxedc', 'qazwsxedcrfv', '1234qwer',
  '12345qwert', '123456qwerty', 'qwer1234', 'qwert12345', '0987654321', '9876543210', '1122334455', '1234512345', '123456123456', '12341234',
  '123123123', '1231231234', '1234554321', '0123456789', '01234567890', '12345678910', '1234567891', '123456789a', 'a123456789', '123456789q',
  'q123456789', '1111111111', '0000000000', '2222222222', '5555555555', '9999999999', '7777777777', '1212121212', 'aaaaaaaaaa', 'iloveyou1',
  'iloveyou12', 'iloveyou123', 'iloveu1234', 'letmein123', 'welcome1', 'welcome12', 'welcome123', 'welcome2024', 'welcome2025', 'changeme',
  'changeme123', 'default123', 'administrator', 'admin12345', 'admin123456', 'adminadmin', 'root12345', 'rootroot', 'passpass', 'testtest',
  'test123456', 'testing123', 'secret1234', 'mypassword', 'mypassword1', 'yourpassword', 'newpassword', 'password01', 'football1', 'baseball1',
  'superman123', 'batman123', 'starwars1', 'princess1', 'sunshine1', 'sunshine123', 'monkey1234', 'dragon1234', 'shadow1234', 'master1234',
  'michael123', 'jennifer1', 'jordan2323', 'liverpool1', 'chocolate1', 'blink182', 'pokemon123', 'minecraft1', 'whatever1', 'trustno1234',
  'loveme1234', 'q1w2e3r4', 'qwertyqwerty', 'asdf1234', 'asdfasdf', 'zxcv1234', '1qazxsw2', 'xsw21qaz', 'passw0rd1', 'p@ssw0rd1',
  'p@ssw0rd123', 'password!', 'password1!', 'qwerty1!', 'computer123', 'internet1', 'samsung123', 'google123', 'facebook1', 'football123',
]);
