<?php
// Reads a GIFT file on stdin with Moodle's own GIFT parser (qformat_gift::readquestions) and prints
// what it read as JSON: one object per question (type, name, idnumber, tags, texts, answers with
// their fractions and feedback, matching pairs, true/false answer), then the parser's errors.
//
// Usage: php gift_import.php MOODLE_DIR < file.gift
// MOODLE_DIR is a Moodle source tree (e.g. ../shared/moodle-4.5.6): its question/format.php and
// question/format/gift/format.php are required from there as they are; this file only stands in,
// with the smallest stubs, for what they call from the rest of Moodle (strings, settings, the
// question bank's plugins, text helpers). No Moodle code is copied here.

if ($argc !== 2) {
    fwrite(STDERR, "usage: php gift_import.php MOODLE_DIR < file.gift\n");
    exit(2);
}
define('MOODLE_INTERNAL', true);
define('FORMAT_MOODLE', 0);
define('FORMAT_HTML', 1);
define('FORMAT_PLAIN', 2);
define('FORMAT_MARKDOWN', 4);
define('PARAM_TEXT', 'text');
$CFG = new stdClass();

function get_string($identifier, $component = '', $a = null) {
    return "[{$component}:{$identifier}]";
}
function get_config($plugin, $name = null) {
    return $name === 'answernumbering' ? 'abc' : '0';
}
// PARAM_TEXT as Moodle cleans a question name: tags stripped, the text otherwise kept.
function clean_param($value, $type) {
    return strip_tags((string) $value);
}
// (php-cli may come without mbstring: characters are counted with PCRE's UTF-8 mode.)
function shorten_text($text, $ideal = 30) {
    preg_match('/^.{0,' . (int) $ideal . '}/su', (string) $text, $match);
    return $match[0];
}
function s($text) {
    return htmlspecialchars((string) $text, ENT_QUOTES, 'UTF-8');
}
class core_text {
    public static function strlen($text) {
        return preg_match_all('/./su', (string) $text);
    }
}
// No question-type plugin claims a question: only the standard GIFT types are read.
class question_bank {
    public static function get_all_qtypes() {
        return [];
    }
    public static function get_qtype($name, $mustexist = true) {
        return null;
    }
}

require($argv[1] . '/question/format.php');
require($argv[1] . '/question/format/gift/format.php');

class studydeck_gift_reader extends qformat_gift {
    public $problems = [];

    protected function error($message, $text = '', $questionname = '') {
        $this->problems[] = ['message' => $message, 'text' => $text];
    }

    public function read(array $lines): array {
        return $this->readquestions($lines);
    }
}

function text_of($value) {
    return is_array($value) ? $value['text'] : $value;
}

$reader = new studydeck_gift_reader();
$lines = preg_split('/\r?\n/', stream_get_contents(STDIN));
$out = [];
foreach ($reader->read($lines) as $q) {
    if ($q->qtype === 'category') {
        $out[] = ['type' => 'category', 'category' => $q->category];
        continue;
    }
    $row = [
        'type' => $q->qtype, 'name' => $q->name, 'idnumber' => $q->idnumber, 'tags' => $q->tags,
        'questiontext' => $q->questiontext, 'questiontextformat' => $q->questiontextformat,
        'generalfeedback' => $q->generalfeedback,
    ];
    if (isset($q->answer) && is_array($q->answer)) {
        $row['answers'] = [];
        foreach ($q->answer as $key => $answer) {
            $row['answers'][] = ['text' => text_of($answer), 'fraction' => (float) $q->fraction[$key],
                'feedback' => text_of($q->feedback[$key])];
        }
    }
    if ($q->qtype === 'match') {
        $row['pairs'] = [];
        foreach ($q->subquestions as $key => $sub) {
            $row['pairs'][] = [text_of($sub), $q->subanswers[$key]];
        }
    }
    if ($q->qtype === 'truefalse') {
        $row['correctanswer'] = $q->correctanswer;
        $row['feedbacktrue'] = text_of($q->feedbacktrue);
        $row['feedbackfalse'] = text_of($q->feedbackfalse);
    }
    $out[] = $row;
}
echo json_encode(['questions' => $out, 'errors' => $reader->problems], JSON_UNESCAPED_UNICODE | JSON_PRETTY_PRINT), "\n";
