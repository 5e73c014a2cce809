<?php
// Reads a JSON list of Cloze question texts on stdin, parses each with Moodle's own
// qtype_multianswer_extract_question (question/type/multianswer/questiontype.php of a Moodle
// tree, required as it is) and prints, per text, each embedded part's type and its answers
// (text and fraction) as JSON.
//
// Usage: php cloze_extract.php MOODLE_DIR < texts.json
// The three files that questiontype.php requires from the rest of Moodle are stood in for by
// tests/php/stubs/ (a base class and three constants); no Moodle code is copied here.

if ($argc !== 2) {
    fwrite(STDERR, "usage: php cloze_extract.php MOODLE_DIR < texts.json\n");
    exit(2);
}
define('MOODLE_INTERNAL', true);
define('FORMAT_HTML', 1);
$CFG = new stdClass();
$CFG->dirroot = __DIR__ . '/stubs';

function get_string($identifier, $component = '', $a = null) {
    return "[{$component}:{$identifier}]";
}

require($argv[1] . '/question/type/multianswer/questiontype.php');

$out = [];
foreach (json_decode(stream_get_contents(STDIN), true) as $text) {
    $question = qtype_multianswer_extract_question(['text' => $text, 'format' => FORMAT_HTML, 'itemid' => '']);
    $parts = [];
    foreach ($question->options->questions as $wrapped) {
        $answers = [];
        foreach ($wrapped->answer as $key => $answer) {
            $answers[] = ['text' => is_array($answer) ? $answer['text'] : $answer,
                'fraction' => (float) $wrapped->fraction[$key]];
        }
        $parts[] = ['qtype' => $wrapped->qtype, 'answers' => $answers];
    }
    $out[] = ['text' => $question->questiontext['text'], 'parts' => $parts];
}
echo json_encode($out, JSON_UNESCAPED_UNICODE), "\n";
